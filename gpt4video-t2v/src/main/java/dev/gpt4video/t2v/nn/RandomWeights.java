package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Seeded random parameters for benchmarks and demo bundles, answering every name a model asks
 * for. Scales keep activations O(1): matrices and kernels {@code N(0,1)/sqrt(fan_in)}, norm weights
 * {@code 1 + 0.1 N(0,1)}, biases {@code 0.02 N(0,1)}, embeddings {@code 0.1 N(0,1)}.
 *
 * <p>{@link #recording} draws in Java from {@code java.util.Random(seed ^ hash(name))}, so the
 * values do not depend on load order, and keeps every tensor for {@link #writeTo}; {@link #onDevice}
 * draws with the engine's generator and keeps nothing (for large benchmark models).
 */
public final class RandomWeights implements Weights {
    private final NDManager manager;
    private final DataType dataType;
    private final long seed;
    private final String prefix;
    private final Map<String, float[]> values;
    private final Map<String, long[]> shapes;

    private RandomWeights(NDManager manager, DataType dataType, long seed, String prefix, Map<String, float[]> values,
                          Map<String, long[]> shapes) {
        this.manager = manager;
        this.dataType = dataType;
        this.seed = seed;
        this.prefix = prefix;
        this.values = values;
        this.shapes = shapes;
    }

    public static RandomWeights recording(NDManager manager, DataType dataType, long seed) {
        return new RandomWeights(manager, dataType, seed, "", new TreeMap<>(), new TreeMap<>());
    }

    public static RandomWeights onDevice(NDManager manager, DataType dataType, long seed) {
        manager.getEngine().setRandomSeed((int) seed);
        return new RandomWeights(manager, dataType, seed, "", null, new TreeMap<>());
    }

    @Override
    public NDArray get(String name, long... shape) {
        String full = prefix + name;
        long[] known = shapes.putIfAbsent(full, shape.clone());
        if (known != null && !java.util.Arrays.equals(known, shape)) {
            throw new IllegalStateException(full + " requested with two shapes");
        }
        Init init = Init.of(full, shape);
        if (values == null) {
            NDArray a = manager.randomNormal(0f, (float) init.std, new Shape(shape), DataType.FLOAT32);
            if (init.mean != 0) {
                a = a.add((float) init.mean);
            }
            NDArray typed = a.toType(dataType, false);
            if (typed != a) {
                a.close();
            }
            return typed;
        }
        float[] data = values.computeIfAbsent(full, n -> draw(n, shape, init));
        return manager.create(data, new Shape(shape)).toType(dataType, false);
    }

    @Override
    public boolean has(String name) {
        return shapes.containsKey(prefix + name);
    }

    @Override
    public Weights scope(String subPrefix) {
        return new RandomWeights(manager, dataType, seed, prefix + subPrefix, values, shapes);
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public DataType dataType() {
        return dataType;
    }

    /** Number of parameters handed out so far. */
    public long parameterCount() {
        long total = 0;
        for (long[] s : shapes.values()) {
            long n = 1;
            for (long d : s) {
                n *= d;
            }
            total += n;
        }
        return total;
    }

    /** Adds every recorded tensor (full names) to {@code writer} as {@code dtype}. */
    public void writeTo(SafetensorsWriter writer, DType dtype) {
        if (values == null) {
            throw new IllegalStateException("onDevice weights are not recorded");
        }
        values.forEach((name, data) -> writer.putFloats(name, dtype, shapes.get(name), data));
    }

    private float[] draw(String name, long[] shape, Init init) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        Random random = new Random(seed ^ ((long) name.hashCode() * 0x9E3779B97F4A7C15L));
        float[] data = new float[Math.toIntExact(count)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (init.mean + init.std * random.nextGaussian());
        }
        return data;
    }

    private record Init(double mean, double std) {
        static Init of(String name, long[] shape) {
            if (name.contains("embedding.weight")) {
                return new Init(0, 0.1);
            }
            if (shape.length == 1) {
                return name.endsWith(".weight") ? new Init(1, 0.1) : new Init(0, 0.02);
            }
            long fanIn = 1;
            for (int i = 1; i < shape.length; i++) {
                fanIn *= shape[i];
            }
            return new Init(0, 1 / Math.sqrt(fanIn));
        }
    }
}
