package dev.gpt4video.abstractor.mplugowl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.abstractor.VisualAbstractor;
import dev.gpt4video.abstractor.nn.Attention;
import dev.gpt4video.abstractor.nn.HiddenActivation;
import dev.gpt4video.abstractor.nn.Scoped;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.checkpoint.WeightLoader;

import java.util.ArrayList;
import java.util.List;

/**
 * mPLUG-Owl's video visual abstractor as GPT4Video calls it: spatial and temporal learned queries
 * go through one shared stack of cross-attention layers over {@code [LN(queries); LN(frame features)]},
 * are projected by {@code visual_fc} and {@code temporal_visual_fc} and summed pairwise, and the
 * learned {@code vit_eos} token is appended: {@code [B, Q+1, llm_hidden]}. Images (T = 1) use the
 * spatial queries and {@code visual_fc} only, as the reference does.
 */
public final class MplugOwlVisualAbstractor implements VisualAbstractor {
    private final MplugOwlConfig config;
    private final MplugOwlWeights.Abstractor weights;
    private final DataType dataType;

    /**
     * @param visualEmbeddings {@code [B, Q+1, llm_hidden]}
     * @param layerOutputs     per layer {@code [B, Q or 2Q, D]}, spatial rows first (intermediates only)
     */
    public record Output(NDArray visualEmbeddings, List<NDArray> layerOutputs) {
    }

    private MplugOwlVisualAbstractor(MplugOwlConfig config, MplugOwlWeights.Abstractor weights, DataType dataType) {
        this.config = config;
        this.weights = weights;
        this.dataType = dataType;
    }

    /** Loads {@code query_tokens}, {@code temporal_query_tokens} and {@code abstractor.*} through {@code root}. */
    public static MplugOwlVisualAbstractor load(WeightLoader root, MplugOwlConfig config) {
        return new MplugOwlVisualAbstractor(config, MplugOwlWeights.loadAbstractor(root, config), root.dataType());
    }

    /** Runs on the vision tower's {@code last_hidden_state [B, T, N, D]}. */
    public Output forward(NDArray features, boolean keepIntermediates) {
        Shape s = features.getShape();
        int d = config.visualAbstractorConfig().hiddenSize();
        if (s.dimension() != 4 || s.get(3) != d) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "abstractor input must be [B, T, N, " + d + "], got " + s);
        }
        long b = s.get(0), t = s.get(1), q = config.numQueryTokens();
        NDList out = Scoped.apply(new NDList(features), in -> {
            // 'b t n d -> b (t n) d': frame-major, as the reference flattens
            NDArray f = in.get(0).toType(dataType, false).reshape(b, t * s.get(2), d);
            NDArray queries = Scoped.into(weights.queryTokens().broadcast(b, q, d), f);
            // The reference ignores the temporal queries when the features hold a single frame.
            NDArray h = t > 1
                    ? NDArrays.concat(new NDList(queries, Scoped.into(weights.temporalQueryTokens().broadcast(b, q, d), f)), 1)
                    : queries;
            NDList kept = new NDList();
            for (MplugOwlWeights.AbstractorLayer layer : weights.layers()) {
                NDArray next = Scoped.apply(new NDList(h, f), hf -> new NDList(layer(layer, hf.get(0), hf.get(1)))).get(0);
                if (keepIntermediates) {
                    kept.add(next);
                }
                h = next;
            }
            NDArray y = t > 1
                    ? weights.visualFc().apply(h.get(":, 0:{}", q)).add(weights.temporalVisualFc().apply(h.get(":, {}:", q)))
                    : weights.visualFc().apply(h);
            NDArray eos = Scoped.into(weights.vitEos().broadcast(b, 1, config.llmHiddenSize()), y);
            NDList result = new NDList(NDArrays.concat(new NDList(y, eos), 1));
            result.addAll(kept);
            return result;
        });
        return new Output(out.get(0), new ArrayList<>(out.subList(1, out.size())));
    }

    private NDArray layer(MplugOwlWeights.AbstractorLayer l, NDArray h, NDArray f) {
        long b = h.getShape().get(0), nq = h.getShape().get(1);
        int heads = config.visualAbstractorConfig().numAttentionHeads(), hd = config.visualAbstractorConfig().headDim();
        NDArray hn = l.norm1().apply(h);
        NDArray kvIn = NDArrays.concat(new NDList(hn, l.normk().apply(f)), 1);
        long len = kvIn.getShape().get(1);
        NDArray q = Attention.splitHeads(l.query().apply(hn), heads);
        NDArray kv = l.keyValue().apply(kvIn).reshape(b, len, 2, heads, hd).transpose(2, 0, 3, 1, 4);
        NDArray ctx = Attention.mergeHeads(
                Attention.scaledDotProduct(q, kv.get(0), kv.get(1), (float) (1.0 / Math.sqrt(hd)), false));
        // The residual adds the normalised queries, not the layer input (a quirk of the reference).
        NDArray r = hn.add(l.outProj().apply(ctx));
        NDArray gates = l.w13().apply(l.norm2().apply(r));
        long w = l.swigluWidth();
        NDArray swiglu = HiddenActivation.SILU.apply(gates.get("..., 0:{}", w)).mul(gates.get("..., {}:", w));
        return r.add(l.w2().apply(l.ffnLn().apply(swiglu)));
    }

    @Override
    public NDArray apply(NDArray frameFeatures) {
        return forward(frameFeatures, false).visualEmbeddings();
    }

    @Override
    public int tokens() {
        return config.numQueryTokens() + 1;
    }

    @Override
    public int outputSize() {
        return config.llmHiddenSize();
    }

    @Override
    public int inputSize() {
        return config.visualAbstractorConfig().hiddenSize();
    }
}
