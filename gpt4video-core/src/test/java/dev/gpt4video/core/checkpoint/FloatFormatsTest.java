package dev.gpt4video.core.checkpoint;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Expected bit patterns worked out by hand from the IEEE 754 layouts. */
class FloatFormatsTest {
    @Test
    void bf16KnownValues() {
        assertThat(FloatFormats.floatToBf16(1.0f)).isEqualTo((short) 0x3F80);
        assertThat(FloatFormats.floatToBf16(-2.0f)).isEqualTo((short) 0xC000);
        assertThat(FloatFormats.floatToBf16(0.0f)).isEqualTo((short) 0x0000);
        assertThat(FloatFormats.floatToBf16(-0.0f)).isEqualTo((short) 0x8000);
        assertThat(FloatFormats.floatToBf16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7F80);
        // 1 + 2^-8 is exactly halfway between bf16 1.0 and 1.0078125: ties go to the even mantissa (1.0).
        assertThat(FloatFormats.floatToBf16(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80);
        // 1.0078125 + half an ulp: halfway again, now the odd mantissa rounds up to 0x3F82.
        assertThat(FloatFormats.floatToBf16(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82);
        // Just above halfway rounds up.
        assertThat(FloatFormats.floatToBf16(Float.intBitsToFloat(0x3F808001))).isEqualTo((short) 0x3F81);
        // pi = 0x40490FDB -> 0x4049 (0x0FDB < 0x8000 rounds down).
        assertThat(FloatFormats.floatToBf16((float) Math.PI)).isEqualTo((short) 0x4049);
        assertThat(Float.isNaN(FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(Float.NaN)))).isTrue();
        assertThat(FloatFormats.bf16ToFloat((short) 0x4049)).isEqualTo(3.140625f);
        assertThat(FloatFormats.bf16ToFloat((short) 0xC000)).isEqualTo(-2.0f);
        // Largest finite bf16 rounds up to infinity once past it by half an ulp.
        assertThat(FloatFormats.floatToBf16(Float.MAX_VALUE)).isEqualTo((short) 0x7F80);
    }

    @Test
    void f16KnownValues() {
        assertThat(FloatFormats.floatToF16(1.0f)).isEqualTo((short) 0x3C00);
        assertThat(FloatFormats.floatToF16(-2.0f)).isEqualTo((short) 0xC000);
        assertThat(FloatFormats.floatToF16(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(FloatFormats.floatToF16(65520f)).isEqualTo((short) 0x7C00); // overflow to +inf
        assertThat(FloatFormats.floatToF16(5.9604645e-8f)).isEqualTo((short) 0x0001); // smallest subnormal
        assertThat(FloatFormats.f16ToFloat((short) 0x3555)).isEqualTo(0.33325195f);
        assertThat(FloatFormats.f16ToFloat((short) 0x0001)).isEqualTo(5.9604645e-8f);
        // 1 + 2^-11 is halfway between 1.0 and the next half (1 + 2^-10): ties to even -> 1.0.
        assertThat(FloatFormats.floatToF16(1f + 0x1p-11f)).isEqualTo((short) 0x3C00);
        assertThat(FloatFormats.floatToF16(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3C02);
    }

    @Test
    void everyBf16AndF16PatternSurvivesARoundTrip() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short s = (short) bits;
            float bf = FloatFormats.bf16ToFloat(s);
            if (!Float.isNaN(bf)) {
                assertThat(FloatFormats.floatToBf16(bf)).isEqualTo(s);
            }
            float h = FloatFormats.f16ToFloat(s);
            if (!Float.isNaN(h)) {
                assertThat(FloatFormats.floatToF16(h)).isEqualTo(s);
            }
        }
    }
}
