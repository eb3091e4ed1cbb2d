package dev.gpt4video.t2v.zeroscope;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.t2v.nn.BasicTransformerBlock;
import dev.gpt4video.t2v.nn.GroupNorm;
import dev.gpt4video.t2v.nn.Linear;
import dev.gpt4video.t2v.nn.Scope;
import dev.gpt4video.t2v.nn.Weights;

/**
 * diffusers' {@code TransformerTemporalModel}: GroupNorm (eps 1e-6) over the (B, C, F, h, w) view,
 * one sequence of F frames per sample and pixel, {@code proj_in}, a transformer block whose two
 * attentions are both self-attention over frames (no text, no position encoding), {@code proj_out},
 * plus the input.
 */
final class TransformerTemporalModel {
    private final GroupNorm norm;
    private final Linear projIn;
    private final BasicTransformerBlock block;
    private final Linear projOut;

    private TransformerTemporalModel(GroupNorm norm, Linear projIn, BasicTransformerBlock block, Linear projOut) {
        this.norm = norm;
        this.projIn = projIn;
        this.block = block;
        this.projOut = projOut;
    }

    static TransformerTemporalModel load(Weights w, long channels, int heads, int headDim, int groups, int sliceSize) {
        long inner = (long) heads * headDim;
        return new TransformerTemporalModel(
                GroupNorm.load(w, "norm", groups, channels, 1e-6),
                Linear.load(w, "proj_in", channels, inner, true),
                BasicTransformerBlock.load(w.scope("transformer_blocks.0."), inner, heads, headDim, 0, sliceSize),
                Linear.load(w, "proj_out", inner, channels, true));
    }

    /** {@code x}: (B*F, C, h, w) with frame-minor batch rows. */
    NDArray forward(NDArray x, int frames) {
        try (Scope s = Scope.open(x)) {
            Shape shape = x.getShape();
            long c = shape.get(1);
            long h = shape.get(2);
            long w = shape.get(3);
            long b = shape.get(0) / frames;
            NDArray normed = norm.forward(x.reshape(b, frames, c, h, w).transpose(0, 2, 1, 3, 4));
            NDArray seq = normed.transpose(0, 3, 4, 2, 1).reshape(b * h * w, frames, c);
            seq = projOut.forward(block.forward(projIn.forward(seq), null));
            NDArray out = seq.reshape(b, h, w, frames, c).transpose(0, 3, 4, 1, 2).reshape(shape);
            return s.keep(out.add(x));
        }
    }
}
