package dev.gpt4video.abstractor.preprocess;

import java.util.Arrays;
import java.util.Objects;

/**
 * A float32 model input, flat in row-major (C) order: {@code [B,3,T,H,W]} for video, {@code [B,3,H,W]}
 * for images. The array is shared, not copied.
 */
public record PixelValues(float[] data, long[] shape) {

    public PixelValues {
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("shape must be positive, got " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got "
                    + data.length);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public String toString() {
        return "PixelValues" + Arrays.toString(shape);
    }
}
