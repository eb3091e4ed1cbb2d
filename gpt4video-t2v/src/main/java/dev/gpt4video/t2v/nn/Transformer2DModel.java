package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' spatial {@code Transformer2DModel} with linear projections (as ZeroScope builds it):
 * GroupNorm (eps 1e-6), (N,C,h,w) to (N, h*w, C), {@code proj_in}, one {@link BasicTransformerBlock}
 * with cross-attention to the text, {@code proj_out}, back to (N,C,h,w), plus the input.
 */
public final class Transformer2DModel {
    private final GroupNorm norm;
    private final Linear projIn;
    private final BasicTransformerBlock block;
    private final Linear projOut;

    private Transformer2DModel(GroupNorm norm, Linear projIn, BasicTransformerBlock block, Linear projOut) {
        this.norm = norm;
        this.projIn = projIn;
        this.block = block;
        this.projOut = projOut;
    }

    public static Transformer2DModel load(Weights w, long channels, int heads, int headDim, long crossDim, int groups,
                                          int sliceSize) {
        long inner = (long) heads * headDim;
        return new Transformer2DModel(
                GroupNorm.load(w, "norm", groups, channels, 1e-6),
                Linear.load(w, "proj_in", channels, inner, true),
                BasicTransformerBlock.load(w.scope("transformer_blocks.0."), inner, heads, headDim, crossDim, sliceSize),
                Linear.load(w, "proj_out", inner, channels, true));
    }

    /** {@code x}: (N, C, h, w); {@code context}: (N, L, crossDim). */
    public NDArray forward(NDArray x, NDArray context) {
        try (Scope s = Scope.open(x, context)) {
            Shape shape = x.getShape();
            long n = shape.get(0);
            long c = shape.get(1);
            NDArray h = norm.forward(x).reshape(n, c, -1).transpose(0, 2, 1);
            h = block.forward(projIn.forward(h), context);
            h = projOut.forward(h).transpose(0, 2, 1).reshape(shape);
            return s.keep(h.add(x));
        }
    }
}
