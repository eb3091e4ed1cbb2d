package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * diffusers' GEGLU feed-forward: {@code net.0.proj} to 2 x inner, split the last axis into value
 * (first half) and gate (second half), {@code value * gelu(gate)} (exact GELU), {@code net.2} back.
 */
public final class FeedForward {
    private final Linear proj;
    private final Linear out;

    private FeedForward(Linear proj, Linear out) {
        this.proj = proj;
        this.out = out;
    }

    public static FeedForward load(Weights w, long dim, int mult) {
        long inner = dim * mult;
        return new FeedForward(Linear.load(w, "net.0.proj", dim, inner * 2, true), Linear.load(w, "net.2", inner, dim, true));
    }

    public NDArray forward(NDArray x) {
        try (Scope s = Scope.open(x)) {
            NDArray z = proj.forward(x);
            // DJL's split wants a non-negative axis.
            NDList halves = z.split(2, z.getShape().dimension() - 1);
            return s.keep(out.forward(halves.get(0).mul(Activations.gelu(halves.get(1)))));
        }
    }
}
