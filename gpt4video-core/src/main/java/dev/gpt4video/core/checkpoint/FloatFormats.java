package dev.gpt4video.core.checkpoint;

/**
 * Bit-exact conversions between float32 and the 16-bit float formats. Done in Java because DJL's
 * PyTorch engine aborted the JVM converting bfloat16 on CPU.
 */
public final class FloatFormats {
    private FloatFormats() {
    }

    /** bfloat16 is the top half of a float32, so widening is a shift. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round to nearest, ties to even, as PyTorch does; NaN stays a quiet NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int lsb = (bits >>> 16) & 1;
        int rounded = bits + 0x7fff + lsb;
        return (short) (rounded >>> 16);
    }

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Round to nearest, ties to even (IEEE 754 binary16). */
    public static short floatToF16(float value) {
        return Float.floatToFloat16(value);
    }
}
