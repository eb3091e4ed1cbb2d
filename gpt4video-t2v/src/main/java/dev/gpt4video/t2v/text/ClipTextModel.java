package dev.gpt4video.t2v.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.config.HfConfigReader;
import dev.gpt4video.t2v.nn.Attention;
import dev.gpt4video.t2v.nn.LayerNorm;
import dev.gpt4video.t2v.nn.Linear;
import dev.gpt4video.t2v.nn.Scope;
import dev.gpt4video.t2v.nn.Weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * transformers' {@code CLIPTextModel}: token plus position embeddings, pre-LN encoder layers with
 * causal self-attention (q, k, v, out projections with bias; queries scaled by 1/sqrt(head_dim)),
 * MLP with the configured activation, then {@code final_layer_norm}. The result,
 * {@code last_hidden_state}, is the UNet's text context. No padding mask: the pipeline passes none.
 *
 * <pre>{@code
 * ClipTextModel enc = ClipTextModel.load(Weights.from(loader.scope("text_model.")), config);
 * NDArray ctx = enc.encode(manager, new int[][] {tokenizer.encode("a cat")}); // (1, 77, hidden)
 * }</pre>
 */
public final class ClipTextModel {
    private final ClipTextConfig config;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final List<Layer> layers;
    private final LayerNorm finalNorm;
    private final UnaryOperator<NDArray> act;

    private record Layer(LayerNorm norm1, Linear q, Linear k, Linear v, Linear out, LayerNorm norm2, Linear fc1,
                         Linear fc2) {
    }

    private ClipTextModel(ClipTextConfig config, NDArray tokenEmbedding, NDArray positionEmbedding, List<Layer> layers,
                          LayerNorm finalNorm) {
        this.config = config;
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.act = dev.gpt4video.t2v.nn.Activations.byName(config.hiddenAct());
    }

    /**
     * Loads a transformers {@code text_encoder/} folder ({@code config.json} + safetensors) strictly:
     * every tensor must be used, except the optional {@code position_ids} buffer.
     */
    public static ClipTextModel load(Path dir, NDManager manager, DataType dataType) {
        ClipTextConfig config = HfConfigReader.read(dir.resolve("config.json"), ClipTextConfig.class);
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            WeightLoader loader = new WeightLoader(ckpt, manager, dataType, WeightLoader.Mode.STRICT)
                    .ignore("text_model\\.embeddings\\.position_ids");
            ClipTextModel model = load(Weights.from(loader.scope("text_model.")), config);
            loader.finish();
            return model;
        }
    }

    /** Loads from names relative to {@code text_model.}. */
    public static ClipTextModel load(Weights w, ClipTextConfig c) {
        long d = c.hiddenSize();
        double eps = c.layerNormEps();
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            Weights l = w.scope("encoder.layers." + i + ".");
            layers.add(new Layer(
                    LayerNorm.load(l, "layer_norm1", d, eps),
                    Linear.load(l, "self_attn.q_proj", d, d, true),
                    Linear.load(l, "self_attn.k_proj", d, d, true),
                    Linear.load(l, "self_attn.v_proj", d, d, true),
                    Linear.load(l, "self_attn.out_proj", d, d, true),
                    LayerNorm.load(l, "layer_norm2", d, eps),
                    Linear.load(l, "mlp.fc1", d, c.intermediateSize(), true),
                    Linear.load(l, "mlp.fc2", c.intermediateSize(), d, true)));
        }
        return new ClipTextModel(c,
                w.get("embeddings.token_embedding.weight", c.vocabSize(), d),
                w.get("embeddings.position_embedding.weight", c.maxPositionEmbeddings(), d),
                List.copyOf(layers),
                LayerNorm.load(w, "final_layer_norm", d, eps));
    }

    public ClipTextConfig config() {
        return config;
    }

    /** {@code last_hidden_state} (N, L, hidden) for N rows of L token ids, under {@code manager}. */
    public NDArray encode(NDManager manager, int[][] ids) {
        return encode(manager, ids, null);
    }

    /**
     * Like {@link #encode(NDManager, int[][])}, reporting {@code embeddings} and each
     * {@code encoder.layers.i} output (before the final norm) to {@code probe} when given.
     */
    public NDArray encode(NDManager manager, int[][] ids, BiConsumer<String, NDArray> probe) {
        int n = ids.length;
        int len = ids[0].length;
        if (len > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException(len + " tokens exceed max_position_embeddings " + config.maxPositionEmbeddings());
        }
        long[] flat = new long[n * len];
        for (int r = 0; r < n; r++) {
            if (ids[r].length != len) {
                throw new IllegalArgumentException("rows of different lengths");
            }
            for (int t = 0; t < len; t++) {
                if (ids[r][t] < 0 || ids[r][t] >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + ids[r][t] + " outside the vocabulary");
                }
                flat[r * len + t] = ids[r][t];
            }
        }
        try (Scope s = Scope.under(manager)) {
            NDManager m = s.manager();
            NDArray idArray = m.create(flat, new Shape(n * len));
            NDArray h = tokenEmbedding.get(m, new NDIndex("{}", idArray)).reshape(n, len, -1)
                    .add(positionEmbedding.get(m, new NDIndex("0:" + len)));
            report(probe, "embeddings", h);
            NDArray mask = causalMask(m, len, h.getDataType());
            for (int i = 0; i < layers.size(); i++) {
                h = layer(layers.get(i), h, mask);
                report(probe, "encoder.layers." + i, h);
            }
            return s.keep(finalNorm.forward(h));
        }
    }

    private NDArray layer(Layer l, NDArray x, NDArray mask) {
        try (Scope s = Scope.open(x, mask)) {
            NDArray h = l.norm1().forward(x);
            float scale = (float) (1.0 / Math.sqrt(config.headDim()));
            NDArray a = Attention.attend(l.q().forward(h).mul(scale), l.k().forward(h), l.v().forward(h),
                    config.numAttentionHeads(), mask, 0, false);
            NDArray r = l.out().forward(a).add(x);
            NDArray m = l.fc2().forward(act.apply(l.fc1().forward(l.norm2().forward(r))));
            return s.keep(m.add(r));
        }
    }

    /** 0 on and below the diagonal, the dtype's lowest value above it (transformers' causal mask). */
    private static NDArray causalMask(NDManager m, int len, DataType type) {
        float low = type == DataType.FLOAT16 ? -65504f : -Float.MAX_VALUE;
        float[] mask = new float[len * len];
        for (int q = 0; q < len; q++) {
            for (int k = q + 1; k < len; k++) {
                mask[q * len + k] = low;
            }
        }
        return m.create(mask, new Shape(len, len)).toType(type, false);
    }

    private static void report(BiConsumer<String, NDArray> probe, String name, NDArray value) {
        if (probe != null) {
            probe.accept(name, value);
        }
    }
}
