package dev.gpt4video.core.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where one tensor lives: its file, dtype, shape and absolute byte range in that file.
 *
 * @param begin absolute file offset of the first byte (header already accounted for)
 */
public record TensorInfo(String name, Path file, DType dtype, long[] shape, long begin, long byteLength) {

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long[] shape() {
        return shape.clone();
    }

    public TensorInfo withName(String newName) {
        return new TensorInfo(newName, file, dtype, shape, begin, byteLength);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @" + file.getFileName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && file.equals(t.file) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && begin == t.begin && byteLength == t.byteLength;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
