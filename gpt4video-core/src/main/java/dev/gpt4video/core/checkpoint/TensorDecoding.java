package dev.gpt4video.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Turns raw safetensors bytes into float arrays or NDArrays, converting float formats in Java. */
final class TensorDecoding {
    private TensorDecoding() {
    }

    static float[] toFloats(TensorInfo info, ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(info.elementCount());
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                short[] h = new short[n];
                b.asShortBuffer().get(h);
                for (int i = 0; i < n; i++) {
                    out[i] = FloatFormats.f16ToFloat(h[i]);
                }
            }
            case BF16 -> {
                short[] h = new short[n];
                b.asShortBuffer().get(h);
                for (int i = 0; i < n; i++) {
                    out[i] = FloatFormats.bf16ToFloat(h[i]);
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            default -> throw CheckpointException.invalid(info.file(), info.name(),
                    "is " + info.dtype() + ", not a floating type");
        }
        return out;
    }

    /** bfloat16 widened to float32 bit patterns, straight into an engine-ready buffer. */
    private static ByteBuffer bf16ToF32(TensorInfo info, ByteBuffer bytes) {
        int n = Math.toIntExact(info.elementCount());
        short[] h = new short[n];
        bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(h);
        int[] bits = new int[n];
        for (int i = 0; i < n; i++) {
            bits[i] = (h[i] & 0xffff) << 16;
        }
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        out.asIntBuffer().put(bits);
        return out;
    }

    static NDArray toNDArray(TensorInfo info, ByteBuffer bytes, NDManager manager, DataType target) {
        Shape shape = new Shape(info.shape());
        DType source = info.dtype();
        if (target == DataType.BFLOAT16) {
            throw CheckpointException.invalid(info.file(), info.name(), "cannot load as bfloat16: DJL "
                    + "0.35's PyTorch JNI aborts the JVM on bfloat16 tensors; load as float16 or float32");
        }
        if (source == DType.BF16 && target == null) {
            target = DataType.FLOAT32; // bf16 is a storage format only here, see above
        }
        if (target == null || target == source.dataType()) {
            return copyIntoEngine(manager, bytes, shape, source.dataType());
        }
        if (source == DType.BF16) {
            NDArray widened = copyIntoEngine(manager, bf16ToF32(info, bytes), shape, DataType.FLOAT32);
            if (target == DataType.FLOAT32) {
                return widened;
            }
            try (widened) {
                return widened.toType(target, true);
            }
        }
        if (source == DType.F64 && target.isFloating()) {
            return copyIntoEngine(manager, encodeFloats(toFloats(info, bytes), target, info), shape, target);
        }
        // F32 <-> F16 (and integer/boolean) conversions are exact and fast in the engine.
        try (NDArray raw = copyIntoEngine(manager, bytes, shape, source.dataType())) {
            return raw.toType(target, true);
        }
    }

    private static ByteBuffer encodeFloats(float[] values, DataType target, TensorInfo info) {
        ByteBuffer out = ByteBuffer.allocateDirect(values.length * target.getNumOfBytes()).order(ByteOrder.nativeOrder());
        switch (target) {
            case FLOAT32 -> out.asFloatBuffer().put(values);
            case FLOAT16 -> {
                for (int i = 0; i < values.length; i++) {
                    out.putShort(2 * i, FloatFormats.floatToF16(values[i]));
                }
            }
            case FLOAT64 -> {
                for (int i = 0; i < values.length; i++) {
                    out.putDouble(8 * i, values[i]);
                }
            }
            default -> throw CheckpointException.invalid(info.file(), info.name(), "cannot convert to " + target);
        }
        return out;
    }

    /**
     * DJL's PyTorch engine wraps a direct buffer without copying; the clone gives the engine its
     * own memory, so the array neither aliases the read-only file mapping nor waits for a Java GC.
     */
    private static NDArray copyIntoEngine(NDManager manager, ByteBuffer data, Shape shape, DataType type) {
        ByteBuffer direct = data;
        if (!data.isDirect() || data.order() != ByteOrder.nativeOrder()) {
            direct = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.nativeOrder());
            direct.put(data.duplicate());
            direct.flip();
        }
        if (shape.size() == 0) {
            return manager.create(shape, type);
        }
        try (NDArray aliased = manager.create(direct.duplicate().order(ByteOrder.nativeOrder()), shape, type)) {
            return aliased.duplicate();
        }
    }
}
