package dev.gpt4video.abstractor.mplugowl;

import ai.djl.ndarray.NDArray;
import dev.gpt4video.abstractor.nn.LayerNorm;
import dev.gpt4video.abstractor.nn.Linear;
import dev.gpt4video.core.checkpoint.WeightLoader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensor names of mPLUG-Owl's video visual stack ({@code MplugOwlVisionModel} under
 * {@code vision_model.}, {@code MplugOwlVisualAbstractorModel} under {@code abstractor.}, the two
 * learned query sets at the top level) and their loading. The one place these names are spelled.
 */
public final class MplugOwlWeights {
    public static final String VISION = "vision_model.";
    public static final String CLS_TOKEN = "embeddings.cls_token";
    public static final String PATCH_EMBED = "embeddings.patch_embed";
    public static final String POSITION_EMBEDDING = "embeddings.position_embedding";
    public static final String PRE_LAYERNORM = "embeddings.pre_layernorm";
    public static final String VISION_LAYER = "encoder.layers.";
    public static final String POST_LAYERNORM = "post_layernorm";

    public static final String QUERY_TOKENS = "query_tokens";
    public static final String TEMPORAL_QUERY_TOKENS = "temporal_query_tokens";
    public static final String ABSTRACTOR = "abstractor.";
    public static final String ABSTRACTOR_LAYER = "encoder.layers.";
    public static final String VISUAL_FC = "visual_fc";
    public static final String TEMPORAL_VISUAL_FC = "temporal_visual_fc";
    public static final String VIT_EOS = "vit_eos";

    /** LayerNorms the reference builds without {@code eps}, so PyTorch's default applies. */
    static final double TORCH_DEFAULT_EPS = 1e-5;

    private MplugOwlWeights() {
    }

    /** The vision tower's tensors. */
    public record Vision(NDArray clsToken, Linear patchEmbed, NDArray positionEmbedding, LayerNorm preLayernorm,
                         List<VisionLayer> layers, LayerNorm postLayernorm) {
    }

    /**
     * One vision layer.
     *
     * @param temporal          the local temporal module (used only when T > 1)
     * @param queryKeyValue     the fused, head-interleaved projection: channel {@code h·3d + j·d + i} is
     *                          element i of head h of q (j = 0), k (1) or v (2)
     */
    public record VisionLayer(Temporal temporal, LayerNorm inputLayernorm, Linear queryKeyValue, Linear dense,
                              LayerNorm postAttentionLayernorm, Linear fc1, Linear fc2) {
    }

    /**
     * The local temporal module: LN, 1×1×1 down-projection, depthwise (3,1,1) conv over time, QuickGELU,
     * 1×1×1 up-projection.
     *
     * @param convTaps the conv weight as three {@code [width]} vectors, applied to frames t−1, t, t+1
     */
    public record Temporal(LayerNorm ln, Linear downProj, List<NDArray> convTaps, NDArray convBias, Linear upProj) {
    }

    /** The abstractor's tensors. */
    public record Abstractor(NDArray queryTokens, NDArray temporalQueryTokens, List<AbstractorLayer> layers,
                             Linear visualFc, Linear temporalVisualFc, NDArray vitEos) {
    }

    /**
     * One cross-attention layer.
     *
     * @param keyValue key and value fused into one {@code [2·D, D]} layer
     * @param w13      the SwiGLU's w1 and w3 fused into one {@code [2·W, D]} layer (w1 rows first)
     */
    public record AbstractorLayer(LayerNorm norm1, LayerNorm normk, Linear query, Linear keyValue, Linear outProj,
                                  LayerNorm norm2, Linear w13, LayerNorm ffnLn, Linear w2) {
        /** The SwiGLU width W. */
        public long swigluWidth() {
            return w2.inFeatures();
        }
    }

    /** Loads {@code vision_model.*} through a loader positioned at the checkpoint root. */
    public static Vision loadVision(WeightLoader root, MplugOwlVisionConfig c) {
        WeightLoader w = root.scope(VISION);
        long d = c.hiddenSize(), m = c.intermediateSize(), p = c.patchSize(), ch = c.numChannels(), tw = c.temporalWidth();
        double eps = c.layerNormEps();
        NDArray cls = w.get(CLS_TOKEN, 1, 1, d);
        NDArray patch = w.get(PATCH_EMBED + ".weight", d, ch, p, p);
        Linear patchEmbed = new Linear(patch.reshape(d, ch * p * p), null);
        NDArray positions = w.get(POSITION_EMBEDDING, 1, c.tokens(), d);
        LayerNorm pre = LayerNorm.load(w, PRE_LAYERNORM, d, eps);
        List<VisionLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            WeightLoader l = w.scope(VISION_LAYER + i + ".");
            NDArray down = l.get("temporal.down_proj.weight", tw, d, 1, 1, 1);
            NDArray conv = l.get("temporal.conv.weight", tw, 1, 3, 1, 1).reshape(tw, 3).transpose();
            NDArray up = l.get("temporal.up_proj.weight", d, tw, 1, 1, 1);
            Temporal temporal = new Temporal(
                    LayerNorm.load(l, "temporal.ln", d, TORCH_DEFAULT_EPS),
                    new Linear(down.reshape(tw, d), l.get("temporal.down_proj.bias", tw)),
                    List.of(conv.get(0), conv.get(1), conv.get(2)),
                    l.get("temporal.conv.bias", tw),
                    new Linear(up.reshape(d, tw), l.get("temporal.up_proj.bias", d)));
            layers.add(new VisionLayer(temporal,
                    LayerNorm.load(l, "input_layernorm", d, eps),
                    Linear.load(l, "self_attn.query_key_value", 3 * d, d),
                    Linear.load(l, "self_attn.dense", d, d),
                    LayerNorm.load(l, "post_attention_layernorm", d, eps),
                    Linear.load(l, "mlp.fc1", m, d),
                    Linear.load(l, "mlp.fc2", d, m)));
        }
        LayerNorm post = LayerNorm.load(w, POST_LAYERNORM, d, eps);
        return new Vision(cls, patchEmbed, positions, pre, List.copyOf(layers), post);
    }

    /**
     * Loads the query tokens and {@code abstractor.*} through a loader positioned at the checkpoint
     * root. The SwiGLU width is read from {@code w1.weight}'s shape (the reference derives it from
     * {@code intermediate_size} in a way configs have been known to contradict); the other MLP
     * tensors must agree with it.
     */
    public static Abstractor loadAbstractor(WeightLoader root, MplugOwlConfig config) {
        MplugOwlAbstractorConfig c = config.visualAbstractorConfig();
        long d = c.hiddenSize(), q = config.numQueryTokens(), out = config.llmHiddenSize();
        NDArray queries = root.get(QUERY_TOKENS, 1, q, d);
        NDArray temporalQueries = root.get(TEMPORAL_QUERY_TOKENS, 1, q, d);
        WeightLoader a = root.scope(ABSTRACTOR);
        List<AbstractorLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            WeightLoader l = a.scope(ABSTRACTOR_LAYER + i + ".crossattention.");
            long width = l.shape("output.mlp.w1.weight")[0];
            layers.add(new AbstractorLayer(
                    LayerNorm.load(l, "norm1", d, TORCH_DEFAULT_EPS),
                    LayerNorm.load(l, "normk", d, TORCH_DEFAULT_EPS),
                    Linear.load(l, "attention.query", d, d),
                    Linear.fuse(Linear.load(l, "attention.key", d, d), Linear.load(l, "attention.value", d, d)),
                    Linear.load(l, "output.out_proj", d, d),
                    LayerNorm.load(l, "output.norm2", d, TORCH_DEFAULT_EPS),
                    Linear.fuse(Linear.load(l, "output.mlp.w1", width, d), Linear.load(l, "output.mlp.w3", width, d)),
                    LayerNorm.load(l, "output.mlp.ffn_ln", width, c.layerNormEps()),
                    Linear.load(l, "output.mlp.w2", d, width)));
        }
        return new Abstractor(queries, temporalQueries, List.copyOf(layers),
                Linear.load(a, VISUAL_FC, out, d), Linear.load(a, TEMPORAL_VISUAL_FC, out, d),
                a.get(VIT_EOS, 1, 1, out));
    }

    /**
     * Every tensor of the visual stack with its shape, in the order above (for writing random
     * checkpoints of a given size; loading checks the same shapes).
     */
    public static Map<String, long[]> shapes(MplugOwlConfig config) {
        MplugOwlVisionConfig c = config.visionConfig();
        long d = c.hiddenSize(), m = c.intermediateSize(), p = c.patchSize(), tw = c.temporalWidth();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put(VISION + CLS_TOKEN, new long[] {1, 1, d});
        s.put(VISION + PATCH_EMBED + ".weight", new long[] {d, c.numChannels(), p, p});
        s.put(VISION + POSITION_EMBEDDING, new long[] {1, c.tokens(), d});
        layerNorm(s, VISION + PRE_LAYERNORM, d);
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String l = VISION + VISION_LAYER + i + ".";
            layerNorm(s, l + "temporal.ln", d);
            s.put(l + "temporal.down_proj.weight", new long[] {tw, d, 1, 1, 1});
            s.put(l + "temporal.down_proj.bias", new long[] {tw});
            s.put(l + "temporal.conv.weight", new long[] {tw, 1, 3, 1, 1});
            s.put(l + "temporal.conv.bias", new long[] {tw});
            s.put(l + "temporal.up_proj.weight", new long[] {d, tw, 1, 1, 1});
            s.put(l + "temporal.up_proj.bias", new long[] {d});
            layerNorm(s, l + "input_layernorm", d);
            linear(s, l + "self_attn.query_key_value", 3 * d, d);
            linear(s, l + "self_attn.dense", d, d);
            layerNorm(s, l + "post_attention_layernorm", d);
            linear(s, l + "mlp.fc1", m, d);
            linear(s, l + "mlp.fc2", d, m);
        }
        layerNorm(s, VISION + POST_LAYERNORM, d);

        MplugOwlAbstractorConfig a = config.visualAbstractorConfig();
        long h = a.hiddenSize(), q = config.numQueryTokens(), w = a.swigluWidth(), out = config.llmHiddenSize();
        s.put(QUERY_TOKENS, new long[] {1, q, h});
        s.put(TEMPORAL_QUERY_TOKENS, new long[] {1, q, h});
        for (int i = 0; i < a.numHiddenLayers(); i++) {
            String l = ABSTRACTOR + ABSTRACTOR_LAYER + i + ".crossattention.";
            layerNorm(s, l + "norm1", h);
            layerNorm(s, l + "normk", h);
            linear(s, l + "attention.query", h, h);
            linear(s, l + "attention.key", h, h);
            linear(s, l + "attention.value", h, h);
            linear(s, l + "output.out_proj", h, h);
            layerNorm(s, l + "output.norm2", h);
            linear(s, l + "output.mlp.w1", w, h);
            linear(s, l + "output.mlp.w3", w, h);
            layerNorm(s, l + "output.mlp.ffn_ln", w);
            linear(s, l + "output.mlp.w2", h, w);
        }
        linear(s, ABSTRACTOR + VISUAL_FC, out, h);
        linear(s, ABSTRACTOR + TEMPORAL_VISUAL_FC, out, h);
        s.put(ABSTRACTOR + VIT_EOS, new long[] {1, 1, out});
        return s;
    }

    private static void layerNorm(Map<String, long[]> s, String name, long dim) {
        s.put(name + ".weight", new long[] {dim});
        s.put(name + ".bias", new long[] {dim});
    }

    private static void linear(Map<String, long[]> s, String name, long out, long in) {
        s.put(name + ".weight", new long[] {out, in});
        s.put(name + ".bias", new long[] {out});
    }
}
