package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.t2v.nn.Weights;

import java.util.Arrays;
import java.util.Map;

/** Test {@link Weights} over plain float arrays, so expected values can be computed from the same arrays. */
record MapWeights(Map<String, float[]> values, Map<String, long[]> shapes, NDManager manager, String prefix)
        implements Weights {

    MapWeights(Map<String, float[]> values, Map<String, long[]> shapes, NDManager manager) {
        this(values, shapes, manager, "");
    }

    @Override
    public NDArray get(String name, long... shape) {
        String full = prefix + name;
        float[] v = values.get(full);
        if (v == null) {
            throw new IllegalArgumentException("missing " + full);
        }
        if (!Arrays.equals(shapes.get(full), shape)) {
            throw new IllegalArgumentException(full + " has shape " + Arrays.toString(shapes.get(full))
                    + ", asked " + Arrays.toString(shape));
        }
        return manager.create(v, new Shape(shape));
    }

    @Override
    public boolean has(String name) {
        return values.containsKey(prefix + name);
    }

    @Override
    public Weights scope(String sub) {
        return new MapWeights(values, shapes, manager, prefix + sub);
    }

    @Override
    public DataType dataType() {
        return DataType.FLOAT32;
    }
}
