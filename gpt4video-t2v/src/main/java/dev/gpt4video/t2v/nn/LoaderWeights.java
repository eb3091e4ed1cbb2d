package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.core.checkpoint.WeightLoader;

/** {@link Weights} backed by a {@link WeightLoader}. */
final class LoaderWeights implements Weights {
    private final WeightLoader loader;

    LoaderWeights(WeightLoader loader) {
        this.loader = loader;
    }

    @Override
    public NDArray get(String name, long... shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException(name + ": an expected shape is required");
        }
        return loader.get(name, shape);
    }

    @Override
    public boolean has(String name) {
        return loader.has(name);
    }

    @Override
    public Weights scope(String prefix) {
        return new LoaderWeights(loader.scope(prefix));
    }

    @Override
    public NDManager manager() {
        return loader.manager();
    }

    @Override
    public DataType dataType() {
        return loader.dataType();
    }
}
