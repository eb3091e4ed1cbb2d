package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.core.checkpoint.WeightLoader;

/**
 * Where a model's parameters come from, by checkpoint name and expected shape: a strict
 * {@link WeightLoader} for real checkpoints, or {@link RandomWeights} for benchmarks and demo
 * bundles. Models are built from this one interface so both paths use the same names.
 */
public interface Weights {

    /** The tensor {@code name} (relative to this scope) in {@link #dataType()}; fails on a wrong shape. */
    NDArray get(String name, long... shape);

    /** Whether the source holds {@code name}; used only to pick between alternative namings. */
    boolean has(String name);

    /** The same source with {@code prefix} prepended to every name. */
    Weights scope(String prefix);

    /** The manager that owns the loaded tensors (the model's lifetime). */
    NDManager manager();

    DataType dataType();

    /** Reads from a checkpoint, with the loader's strict accounting. */
    static Weights from(WeightLoader loader) {
        return new LoaderWeights(loader);
    }
}
