package dev.gpt4video.abstractor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Randomly initialised checkpoints in a model's real layout (names and shapes from its
 * {@code XWeights.shapes(config)}), for demos, benchmarks and tests that need no real weights.
 * Values depend only on the {@link Random} given, so a seed reproduces the same bytes.
 *
 * <pre>{@code
 * SafetensorsWriter out = new SafetensorsWriter();
 * RandomCheckpoint.put(out, MplugOwlWeights.shapes(config), DType.F32, new Random(1));
 * out.write(dir.resolve("model.safetensors"));
 * RandomCheckpoint.writeConfig(dir.resolve("config.json"), configTree);
 * }</pre>
 */
public final class RandomCheckpoint {
    private static final ObjectMapper SNAKE_CASE = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private RandomCheckpoint() {
    }

    /**
     * Adds every tensor with a scale that keeps activations in range: LayerNorm gains (1-D
     * {@code *.weight}) near 1, biases near 0, matrices uniform with variance 1/fan_in, learned
     * tokens and embeddings with standard deviation 0.5.
     */
    public static SafetensorsWriter put(SafetensorsWriter out, Map<String, long[]> shapes, DType dtype, Random random) {
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int n = Math.toIntExact(count(shape));
            float[] v = new float[n];
            if (name.endsWith(".weight") && shape.length == 1) {
                fill(v, random, 0.1f, 1f);
            } else if (name.endsWith(".bias")) {
                fill(v, random, 0.02f, 0f);
            } else if (name.endsWith(".weight")) {
                fill(v, random, (float) (1 / Math.sqrt(count(shape) / shape[0])), 0f);
            } else {
                fill(v, random, 0.5f, 0f);
            }
            out.putFloats(name, dtype, shape, v);
        }
        return out;
    }

    /** Writes a config tree (maps and records; record components become snake_case keys), keys sorted. */
    public static void writeConfig(Path file, Object config) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, SNAKE_CASE.writeValueAsString(config) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Uniform values with the given standard deviation around {@code mean}. */
    private static void fill(float[] v, Random random, float std, float mean) {
        float half = (float) (std * Math.sqrt(3));
        for (int i = 0; i < v.length; i++) {
            v[i] = mean + (2 * random.nextFloat() - 1) * half;
        }
    }
}
