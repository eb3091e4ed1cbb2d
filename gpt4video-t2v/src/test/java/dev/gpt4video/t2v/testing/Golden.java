package dev.gpt4video.t2v.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.testing.Fixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Reads the t2v-tiny golden JSON files ({@code {shape, dtype, data}} tensors, row-major). */
public final class Golden {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Golden() {
    }

    /** The fixture folder, or a skipped test when it is absent. */
    public static Path dir() {
        return Fixtures.require("t2v-tiny");
    }

    public static JsonNode read(String file) {
        try {
            return JSON.readTree(dir().resolve("golden").resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tensor from the golden JSON. */
    public record Tensor(long[] shape, float[] data) {
        public NDArray toNDArray(NDManager manager) {
            return manager.create(data, new Shape(shape));
        }
    }

    public static Tensor tensor(JsonNode node) {
        JsonNode shapeNode = node.get("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
        }
        JsonNode data = node.get("data");
        float[] values = new float[data.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = Float.parseFloat(data.get(i).asText());
        }
        return new Tensor(shape, values);
    }

    public static int[] ints(JsonNode array) {
        JsonNode data = array.has("data") ? array.get("data") : array;
        int[] out = new int[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).asInt();
        }
        return out;
    }

    /** Largest absolute difference; fails on a length mismatch. */
    public static double maxAbsDiff(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("length " + actual.length + " != expected " + expected.length);
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    /** Largest {@code |a - e| / max(1, |e|)}. */
    public static double maxRelDiff(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("length " + actual.length + " != expected " + expected.length);
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]) / Math.max(1.0, Math.abs(expected[i]));
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, d);
        }
        return max;
    }
}
