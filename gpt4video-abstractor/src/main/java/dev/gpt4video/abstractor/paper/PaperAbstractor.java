package dev.gpt4video.abstractor.paper;

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

import java.util.List;

/**
 * The video abstractor as the GPT4Video paper writes it (eqs. 1–3), which the released code does
 * not implement (it uses mPLUG-Owl's shared stack instead, see {@code docs/abstractor.md}):
 * <pre>
 *   F_s = CA_s(Q_s, [F_v; Q_s])     F_t = CA_t(Q_t, [F_v; Q_t])     out = W·LN(F_s + F_t) + b
 * </pre>
 * Each CA is a stack of pre-norm blocks: {@code X += Attn(q = LN(X), kv = [LN(F_v); LN(X)])},
 * then {@code X += MLP(LN(X))}. F_v is every token of every frame, frame-major. Output
 * {@code [B, Q, output_size]}; images run the same way with T = 1.
 */
public final class PaperAbstractor implements VisualAbstractor {
    private final PaperAbstractorConfig config;
    private final PaperAbstractorWeights weights;
    private final HiddenActivation activation;
    private final DataType dataType;

    private PaperAbstractor(PaperAbstractorConfig config, PaperAbstractorWeights weights, DataType dataType) {
        this.config = config;
        this.weights = weights;
        this.activation = config.activation();
        this.dataType = dataType;
    }

    /** Loads {@code paper_abstractor.*} through {@code root} (positioned at the checkpoint root). */
    public static PaperAbstractor load(WeightLoader root, PaperAbstractorConfig config) {
        return new PaperAbstractor(config, PaperAbstractorWeights.load(root, config), root.dataType());
    }

    public PaperAbstractorConfig config() {
        return config;
    }

    /** {@code [B, T, N, D]} (or already flattened {@code [B, S, D]}) → {@code [B, Q, output_size]}. */
    @Override
    public NDArray apply(NDArray frameFeatures) {
        Shape s = frameFeatures.getShape();
        int d = config.hiddenSize();
        if ((s.dimension() != 4 && s.dimension() != 3) || s.get(s.dimension() - 1) != d) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                    "paper abstractor input must be [B, T, N, " + d + "] or [B, S, " + d + "], got " + s);
        }
        long b = s.get(0), q = config.numQueryTokens();
        return Scoped.apply(frameFeatures, in -> {
            NDArray f = in.toType(dataType, false).reshape(b, -1, d);
            NDArray spatial = stack(weights.spatialLayers(), Scoped.into(weights.spatialQueryTokens().broadcast(b, q, d), f), f);
            NDArray temporal = stack(weights.temporalLayers(), Scoped.into(weights.temporalQueryTokens().broadcast(b, q, d), f), f);
            return weights.projection().apply(weights.norm().apply(spatial.add(temporal)));
        });
    }

    private NDArray stack(List<PaperAbstractorWeights.Layer> layers, NDArray x, NDArray f) {
        for (PaperAbstractorWeights.Layer layer : layers) {
            x = Scoped.apply(new NDList(x, f), xf -> new NDList(layer(layer, xf.get(0), xf.get(1)))).get(0);
        }
        return x;
    }

    private NDArray layer(PaperAbstractorWeights.Layer l, NDArray x, NDArray f) {
        long b = x.getShape().get(0);
        int heads = config.numAttentionHeads(), hd = config.headDim();
        NDArray xn = l.normQuery().apply(x);
        NDArray kvIn = NDArrays.concat(new NDList(l.normContext().apply(f), xn), 1);
        long len = kvIn.getShape().get(1);
        NDArray q = Attention.splitHeads(l.query().apply(xn), heads);
        NDArray kv = l.keyValue().apply(kvIn).reshape(b, len, 2, heads, hd).transpose(2, 0, 3, 1, 4);
        NDArray ctx = Attention.scaledDotProduct(q, kv.get(0), kv.get(1), (float) (1.0 / Math.sqrt(hd)), false);
        NDArray h = x.add(l.out().apply(Attention.mergeHeads(ctx)));
        return h.add(l.fc2().apply(activation.apply(l.fc1().apply(l.normMlp().apply(h)))));
    }

    @Override
    public int tokens() {
        return config.numQueryTokens();
    }

    @Override
    public int outputSize() {
        return config.outputSize();
    }

    @Override
    public int inputSize() {
        return config.hiddenSize();
    }
}
