package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.t2v.nn.FeedForward;
import dev.gpt4video.t2v.nn.GroupNorm;
import dev.gpt4video.t2v.nn.LayerNorm;
import dev.gpt4video.t2v.nn.Linear;
import dev.gpt4video.t2v.nn.Scope;
import dev.gpt4video.t2v.nn.Weights;

/**
 * lvdm's {@code TemporalTransformer} with {@code only_self_att} and relative positions: GroupNorm
 * (eps 1e-6) over the (B, C, F, h, w) view so statistics span frames, one F-frame sequence per sample
 * and pixel, {@code proj_in}, one transformer block whose two attentions are both
 * {@link RelativeAttention} over frames, then the GEGLU feed-forward, {@code proj_out}, plus the input.
 *
 * <p>Differs from ZeroScope's temporal transformer only in the attention (relative-position
 * tables); the block is spelled out here rather than generalising the shared
 * {@code BasicTransformerBlock}, whose attention is the plain one. {@code init_attn}'s Conv1d
 * projections arrive as Linear weights through {@link VideoCrafterKeys}.
 */
public final class TemporalTransformer {
    private final GroupNorm norm;
    private final Linear projIn;
    private final LayerNorm norm1;
    private final RelativeAttention attn1;
    private final LayerNorm norm2;
    private final RelativeAttention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;
    private final Linear projOut;

    private TemporalTransformer(GroupNorm norm, Linear projIn, LayerNorm norm1, RelativeAttention attn1, LayerNorm norm2,
                                RelativeAttention attn2, LayerNorm norm3, FeedForward ff, Linear projOut) {
        this.norm = norm;
        this.projIn = projIn;
        this.norm1 = norm1;
        this.attn1 = attn1;
        this.norm2 = norm2;
        this.attn2 = attn2;
        this.norm3 = norm3;
        this.ff = ff;
        this.projOut = projOut;
    }

    public static TemporalTransformer load(Weights w, long channels, int heads, int headDim, int groups,
                                           int temporalLength) {
        long inner = (long) heads * headDim;
        Weights b = w.scope("transformer_blocks.0.");
        return new TemporalTransformer(
                GroupNorm.load(w, "norm", groups, channels, 1e-6),
                Linear.load(w, "proj_in", channels, inner, true),
                LayerNorm.load(b, "norm1", inner, 1e-5),
                RelativeAttention.load(b.scope("attn1."), inner, heads, headDim, temporalLength),
                LayerNorm.load(b, "norm2", inner, 1e-5),
                RelativeAttention.load(b.scope("attn2."), inner, heads, headDim, temporalLength),
                LayerNorm.load(b, "norm3", inner, 1e-5),
                FeedForward.load(b.scope("ff."), inner, 4),
                Linear.load(w, "proj_out", inner, channels, true));
    }

    /** {@code x}: (B*F, C, h, w) with frame-minor batch rows. */
    public NDArray forward(NDArray x, int frames) {
        try (Scope s = Scope.open(x)) {
            Shape shape = x.getShape();
            long c = shape.get(1);
            long h = shape.get(2);
            long w = shape.get(3);
            long b = shape.get(0) / frames;
            NDArray normed = norm.forward(x.reshape(b, frames, c, h, w).transpose(0, 2, 1, 3, 4));
            // 'b c t h w -> (b h w) t c'
            NDArray seq = projIn.forward(normed.transpose(0, 3, 4, 2, 1).reshape(b * h * w, frames, c));
            seq = attn1.forward(norm1.forward(seq)).add(seq);
            seq = attn2.forward(norm2.forward(seq)).add(seq);
            seq = ff.forward(norm3.forward(seq)).add(seq);
            seq = projOut.forward(seq);
            NDArray out = seq.reshape(b, h, w, frames, c).transpose(0, 3, 4, 1, 2).reshape(shape);
            return s.keep(out.add(x));
        }
    }
}
