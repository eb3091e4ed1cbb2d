package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** {@code torch.nn.LayerNorm} over the last axis with affine weight and bias. */
public final class LayerNorm {
    private final NDArray gamma;
    private final NDArray beta;
    private final Shape normalized;
    private final float eps;

    private LayerNorm(NDArray gamma, NDArray beta, long dim, double eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.normalized = new Shape(dim);
        this.eps = (float) eps;
    }

    public static LayerNorm load(Weights w, String name, long dim, double eps) {
        return new LayerNorm(w.get(name + ".weight", dim), w.get(name + ".bias", dim), dim, eps);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, gamma, beta, eps).singletonOrThrow();
    }
}
