package dev.gpt4video.abstractor.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.core.checkpoint.WeightLoader;

/**
 * LayerNorm over the last axis, always computed in float32 and cast back to the input's type, as
 * the reference's {@code LayerNormFp32} does (so half-precision activations still normalise
 * exactly). Weights are kept in float32.
 */
public record LayerNorm(NDArray weight, NDArray bias, float eps) {

    /** Loads {@code name.weight} and {@code name.bias}, both {@code [dim]}. */
    public static LayerNorm load(WeightLoader w, String name, long dim, double eps) {
        return new LayerNorm(w.get(name + ".weight", DataType.FLOAT32, dim),
                w.get(name + ".bias", DataType.FLOAT32, dim), (float) eps);
    }

    public NDArray apply(NDArray x) {
        DataType type = x.getDataType();
        NDArray in = type == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray y = in.getNDArrayInternal()
                .layerNorm(in, new Shape(weight.getShape().get(0)), weight, bias, eps)
                .singletonOrThrow();
        return type == DataType.FLOAT32 ? y : y.toType(type, false);
    }
}
