package dev.gpt4video.abstractor.clip;

import ai.djl.ndarray.NDArray;
import dev.gpt4video.abstractor.nn.LayerNorm;
import dev.gpt4video.abstractor.nn.Linear;
import dev.gpt4video.core.checkpoint.WeightLoader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of a Hugging Face {@code CLIPVisionModel} / {@code CLIPVisionModelWithProjection}
 * (the vision half of {@code CLIPModel} uses the same names). This class is the one place their
 * names are spelled.
 */
public record ClipVisionWeights(NDArray classEmbedding, Linear patchEmbedding, NDArray positionEmbedding,
                                LayerNorm preLayernorm, List<Layer> layers, LayerNorm postLayernorm,
                                Linear visualProjection) {

    public static final String VISION = "vision_model.";
    public static final String CLASS_EMBEDDING = "embeddings.class_embedding";
    public static final String PATCH_EMBEDDING = "embeddings.patch_embedding";
    public static final String POSITION_EMBEDDING = "embeddings.position_embedding";
    /** A non-persistent buffer some exports still contain; the only tensor allowed to go unused. */
    public static final String POSITION_IDS = "embeddings.position_ids";
    public static final String PRE_LAYERNORM = "pre_layrnorm"; // sic: Hugging Face's spelling
    public static final String LAYER = "encoder.layers.";
    public static final String POST_LAYERNORM = "post_layernorm";
    public static final String VISUAL_PROJECTION = "visual_projection";
    /** A full {@code CLIPModel} checkpoint's text half (a regex): another component's tensors, not the tower's. */
    public static final String TEXT_HALF = "text_model\\..*|text_projection\\.weight|logit_scale";

    /**
     * One encoder layer.
     *
     * @param qkv q_proj, k_proj and v_proj fused into one {@code [3·D, D]} layer (q rows, then k, then v)
     */
    public record Layer(LayerNorm layerNorm1, Linear qkv, Linear outProj, LayerNorm layerNorm2, Linear fc1,
                        Linear fc2) {
    }

    /**
     * Loads from a loader positioned at the checkpoint root ({@code vision_model.…},
     * {@code visual_projection.weight}); the projection only when the config says the checkpoint has one.
     */
    public static ClipVisionWeights load(WeightLoader root, ClipVisionConfig c) {
        root.ignore(java.util.regex.Pattern.quote(VISION + POSITION_IDS));
        WeightLoader w = root.scope(VISION);
        long d = c.hiddenSize(), m = c.intermediateSize(), p = c.patchSize(), ch = c.numChannels();
        double eps = c.layerNormEps();
        NDArray cls = w.get(CLASS_EMBEDDING, d);
        NDArray patch = w.get(PATCH_EMBEDDING + ".weight", d, ch, p, p);
        Linear patchEmbedding = new Linear(patch.reshape(d, ch * p * p), null);
        NDArray positions = w.get(POSITION_EMBEDDING + ".weight", c.tokens(), d);
        LayerNorm pre = LayerNorm.load(w, PRE_LAYERNORM, d, eps);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            WeightLoader l = w.scope(LAYER + i + ".");
            layers.add(new Layer(
                    LayerNorm.load(l, "layer_norm1", d, eps),
                    Linear.fuse(Linear.load(l, "self_attn.q_proj", d, d), Linear.load(l, "self_attn.k_proj", d, d),
                            Linear.load(l, "self_attn.v_proj", d, d)),
                    Linear.load(l, "self_attn.out_proj", d, d),
                    LayerNorm.load(l, "layer_norm2", d, eps),
                    Linear.load(l, "mlp.fc1", m, d),
                    Linear.load(l, "mlp.fc2", d, m)));
        }
        LayerNorm post = LayerNorm.load(w, POST_LAYERNORM, d, eps);
        Linear projection = c.withProjection()
                ? Linear.loadWithoutBias(root, VISUAL_PROJECTION, c.projectionDim(), d) : null;
        return new ClipVisionWeights(cls, patchEmbedding, positions, pre, List.copyOf(layers), post, projection);
    }

    /** Every tensor with its shape (for writing random checkpoints; loading checks the same shapes). */
    public static Map<String, long[]> shapes(ClipVisionConfig c) {
        long d = c.hiddenSize(), m = c.intermediateSize(), p = c.patchSize();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put(VISION + CLASS_EMBEDDING, new long[] {d});
        s.put(VISION + PATCH_EMBEDDING + ".weight", new long[] {d, c.numChannels(), p, p});
        s.put(VISION + POSITION_EMBEDDING + ".weight", new long[] {c.tokens(), d});
        s.put(VISION + PRE_LAYERNORM + ".weight", new long[] {d});
        s.put(VISION + PRE_LAYERNORM + ".bias", new long[] {d});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String l = VISION + LAYER + i + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                s.put(l + "self_attn." + proj + ".weight", new long[] {d, d});
                s.put(l + "self_attn." + proj + ".bias", new long[] {d});
            }
            for (String ln : new String[] {"layer_norm1", "layer_norm2"}) {
                s.put(l + ln + ".weight", new long[] {d});
                s.put(l + ln + ".bias", new long[] {d});
            }
            s.put(l + "mlp.fc1.weight", new long[] {m, d});
            s.put(l + "mlp.fc1.bias", new long[] {m});
            s.put(l + "mlp.fc2.weight", new long[] {d, m});
            s.put(l + "mlp.fc2.bias", new long[] {d});
        }
        s.put(VISION + POST_LAYERNORM + ".weight", new long[] {d});
        s.put(VISION + POST_LAYERNORM + ".bias", new long[] {d});
        if (c.withProjection()) {
            s.put(VISUAL_PROJECTION + ".weight", new long[] {c.projectionDim(), d});
        }
        return s;
    }
}
