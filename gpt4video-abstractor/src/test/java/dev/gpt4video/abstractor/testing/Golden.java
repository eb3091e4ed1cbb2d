package dev.gpt4video.abstractor.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Nested JSON arrays from the golden files as flat float arrays, and max-abs comparisons against them. */
public final class Golden {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Golden() {
    }

    public static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static long[] shape(JsonNode array) {
        List<Long> dims = new ArrayList<>();
        for (JsonNode n = array; n.isArray(); n = n.get(0)) {
            dims.add((long) n.size());
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** Values in C order; parsed with {@code Float.parseFloat} so the fixtures' inputs come back bit-exact. */
    public static float[] flat(JsonNode array) {
        long n = 1;
        for (long d : shape(array)) {
            n *= d;
        }
        float[] out = new float[Math.toIntExact(n)];
        int[] i = {0};
        fill(array, out, i);
        return out;
    }

    private static void fill(JsonNode node, float[] out, int[] i) {
        if (node.isArray()) {
            for (JsonNode c : node) {
                fill(c, out, i);
            }
        } else {
            out[i[0]++] = Float.parseFloat(node.asText());
        }
    }

    public static NDArray array(NDManager manager, JsonNode node) {
        return manager.create(flat(node), new Shape(shape(node)));
    }

    /** Largest absolute difference; fails on a shape mismatch. */
    public static double maxAbsDiff(JsonNode expected, NDArray actual) {
        assertThat(actual.getShape().getShape()).as("shape").containsExactly(shape(expected));
        float[] e = flat(expected);
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        double max = 0;
        for (int k = 0; k < e.length; k++) {
            double d = Math.abs(e[k] - a[k]);
            if (!(d <= max)) {
                max = d; // NaN propagates as a failure
            }
        }
        return max;
    }

    public static void assertClose(String what, JsonNode expected, NDArray actual, double tolerance) {
        double diff = maxAbsDiff(expected, actual);
        // -Dgolden.print=true lists every comparison with its difference (for reporting tolerances)
        if (Boolean.getBoolean("golden.print")) {
            System.out.printf("%-50s %.3g%n", what, diff);
        }
        assertThat(diff).as("%s: max abs diff %s (shape %s)", what, diff, Arrays.toString(shape(expected)))
                .isLessThanOrEqualTo(tolerance);
    }
}
