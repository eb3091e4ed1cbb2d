package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;

/**
 * diffusers' {@code BasicTransformerBlock} (layer-norm variant): self-attention, a second attention
 * (cross-attention to the text, or self-attention again when {@code crossDim} is 0, as temporal
 * blocks use it), and the GEGLU feed-forward, each pre-normed and residual. LayerNorm eps 1e-5.
 */
public final class BasicTransformerBlock {
    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final boolean attn2IsCross;
    private final LayerNorm norm3;
    private final FeedForward ff;

    private BasicTransformerBlock(LayerNorm norm1, Attention attn1, LayerNorm norm2, Attention attn2,
                                  boolean attn2IsCross, LayerNorm norm3, FeedForward ff) {
        this.norm1 = norm1;
        this.attn1 = attn1;
        this.norm2 = norm2;
        this.attn2 = attn2;
        this.attn2IsCross = attn2IsCross;
        this.norm3 = norm3;
        this.ff = ff;
    }

    /** {@code crossDim} 0 makes {@code attn2} self-attention (diffusers' {@code double_self_attention}). */
    public static BasicTransformerBlock load(Weights w, long dim, int heads, int headDim, long crossDim, int sliceSize) {
        boolean cross = crossDim > 0;
        return new BasicTransformerBlock(
                LayerNorm.load(w, "norm1", dim, 1e-5),
                Attention.load(w.scope("attn1."), dim, dim, heads, headDim, sliceSize),
                LayerNorm.load(w, "norm2", dim, 1e-5),
                Attention.load(w.scope("attn2."), dim, cross ? crossDim : dim, heads, headDim, sliceSize),
                cross,
                LayerNorm.load(w, "norm3", dim, 1e-5),
                FeedForward.load(w.scope("ff."), dim, 4));
    }

    /** {@code x}: (B, L, dim); {@code context}: (B, Lc, crossDim), ignored for temporal blocks. */
    public NDArray forward(NDArray x, NDArray context) {
        try (Scope s = Scope.open(x, context)) {
            NDArray h = attn1.forward(norm1.forward(x), null).add(x);
            h = attn2.forward(norm2.forward(h), attn2IsCross ? context : null).add(h);
            h = ff.forward(norm3.forward(h)).add(h);
            return s.keep(h);
        }
    }
}
