package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The single-head spatial self-attention of the VAE's mid block: GroupNorm, q/k/v Linear with bias
 * over all h*w positions, softmax in float32 (diffusers sets {@code upcast_softmax}), {@code to_out.0},
 * plus the input. Accepts the current names ({@code to_q}, {@code to_k}, {@code to_v},
 * {@code to_out.0}) and the legacy ones ({@code query}, {@code key}, {@code value},
 * {@code proj_attn}) of older saved VAEs.
 */
public final class SelfAttention2D {
    private final GroupNorm norm;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;
    private final int heads;
    private final float scale;
    private final int sliceSize;

    private SelfAttention2D(GroupNorm norm, Linear q, Linear k, Linear v, Linear out, int heads, int headDim,
                            int sliceSize) {
        this.norm = norm;
        this.q = q;
        this.k = k;
        this.v = v;
        this.out = out;
        this.heads = heads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.sliceSize = sliceSize;
    }

    public static SelfAttention2D load(Weights w, long channels, int groups, double eps, int sliceSize) {
        boolean legacy = w.has("query.weight") && !w.has("to_q.weight");
        return new SelfAttention2D(
                GroupNorm.load(w, "group_norm", groups, channels, eps),
                Linear.load(w, legacy ? "query" : "to_q", channels, channels, true),
                Linear.load(w, legacy ? "key" : "to_k", channels, channels, true),
                Linear.load(w, legacy ? "value" : "to_v", channels, channels, true),
                Linear.load(w, legacy ? "proj_attn" : "to_out.0", channels, channels, true),
                1, (int) channels, sliceSize);
    }

    public NDArray forward(NDArray x) {
        try (Scope s = Scope.open(x)) {
            Shape shape = x.getShape();
            long n = shape.get(0);
            long c = shape.get(1);
            NDArray h = norm.forward(x).reshape(n, c, -1).transpose(0, 2, 1);
            NDArray a = Attention.attend(q.forward(h).mul(scale), k.forward(h), v.forward(h), heads, null, sliceSize, true);
            a = out.forward(a).transpose(0, 2, 1).reshape(shape);
            return s.keep(a.add(x));
        }
    }
}
