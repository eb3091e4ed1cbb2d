package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;

/** {@code y = x W^T + b} over the last axis; {@code weight} is {@code [out, in]} as stored. */
public final class Linear {
    private final NDArray weight;
    private final NDArray bias;

    private Linear(NDArray weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** Loads {@code name.weight} and, when {@code withBias}, {@code name.bias}. */
    public static Linear load(Weights w, String name, long in, long out, boolean withBias) {
        return new Linear(w.get(name + ".weight", out, in), withBias ? w.get(name + ".bias", out) : null);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }
}
