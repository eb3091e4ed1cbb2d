package dev.gpt4video.llm.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.core.checkpoint.WeightLoader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The tensors of a {@code LlamaForCausalLM} checkpoint, under their Hugging Face names (the one
 * place those names are spelled). Linear weights stay {@code [out, in]} as stored; the forward pass
 * uses them with {@code linear}, which needs no transpose.
 */
public final class LlamaWeights {
    public static final String EMBED_TOKENS = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";
    /** mPLUG-Owl keeps the language model under this prefix. */
    public static final String LANGUAGE_MODEL_PREFIX = "language_model.";
    /** Buffers some transformers versions save; the model derives them from the config. */
    public static final String IGNORED = "model\\.layers\\.\\d+\\.self_attn\\.rotary_emb\\.inv_freq";

    public static final String Q_PROJ = "self_attn.q_proj";
    public static final String K_PROJ = "self_attn.k_proj";
    public static final String V_PROJ = "self_attn.v_proj";
    public static final String O_PROJ = "self_attn.o_proj";
    public static final String GATE_PROJ = "mlp.gate_proj";
    public static final String UP_PROJ = "mlp.up_proj";
    public static final String DOWN_PROJ = "mlp.down_proj";
    public static final String INPUT_NORM = "input_layernorm";
    public static final String POST_ATTENTION_NORM = "post_attention_layernorm";
    /** The linear modules of a decoder layer, in checkpoint order. */
    public static final List<String> LINEAR_MODULES = List.of(Q_PROJ, K_PROJ, V_PROJ, O_PROJ, GATE_PROJ, UP_PROJ, DOWN_PROJ);

    /** One decoder layer; linear weights are {@code [out, in]}. */
    public record Layer(NDArray inputNorm, NDArray q, NDArray k, NDArray v, NDArray o,
                        NDArray postAttentionNorm, NDArray gate, NDArray up, NDArray down) {
        NDArray linear(String module) {
            return switch (module) {
                case Q_PROJ -> q;
                case K_PROJ -> k;
                case V_PROJ -> v;
                case O_PROJ -> o;
                case GATE_PROJ -> gate;
                case UP_PROJ -> up;
                case DOWN_PROJ -> down;
                default -> throw new IllegalArgumentException("no linear module " + module);
            };
        }

        Layer withLinear(String module, NDArray w) {
            return new Layer(inputNorm, module.equals(Q_PROJ) ? w : q, module.equals(K_PROJ) ? w : k,
                    module.equals(V_PROJ) ? w : v, module.equals(O_PROJ) ? w : o, postAttentionNorm,
                    module.equals(GATE_PROJ) ? w : gate, module.equals(UP_PROJ) ? w : up,
                    module.equals(DOWN_PROJ) ? w : down);
        }
    }

    private final NDArray embedTokens;
    private final List<Layer> layers;
    private final NDArray norm;
    private final NDArray lmHead;

    LlamaWeights(NDArray embedTokens, List<Layer> layers, NDArray norm, NDArray lmHead) {
        this.embedTokens = embedTokens;
        this.layers = List.copyOf(layers);
        this.norm = norm;
        this.lmHead = lmHead;
    }

    /** {@code model.layers.{i}.} */
    public static String layerPrefix(int layer) {
        return "model.layers." + layer + ".";
    }

    /** The module name of a layer's linear, e.g. {@code model.layers.3.self_attn.q_proj}. */
    public static String linearModule(int layer, String module) {
        return layerPrefix(layer) + module;
    }

    /**
     * Loads every tensor through {@code loader}, checking shapes; the caller calls
     * {@link WeightLoader#finish()} to fail on leftovers. A tied {@code lm_head.weight} that the
     * file still holds is checked and consumed, since the embedding matrix serves as the head.
     */
    static LlamaWeights load(LlamaConfig c, WeightLoader w) {
        long hidden = c.hiddenSize();
        long inter = c.intermediateSize();
        NDArray embed = w.get(EMBED_TOKENS, c.vocabSize(), hidden);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            WeightLoader l = w.scope(layerPrefix(i));
            layers.add(new Layer(
                    l.get(INPUT_NORM + ".weight", hidden),
                    l.get(Q_PROJ + ".weight", c.querySize(), hidden),
                    l.get(K_PROJ + ".weight", c.keyValueSize(), hidden),
                    l.get(V_PROJ + ".weight", c.keyValueSize(), hidden),
                    l.get(O_PROJ + ".weight", hidden, c.querySize()),
                    l.get(POST_ATTENTION_NORM + ".weight", hidden),
                    l.get(GATE_PROJ + ".weight", inter, hidden),
                    l.get(UP_PROJ + ".weight", inter, hidden),
                    l.get(DOWN_PROJ + ".weight", hidden, inter)));
        }
        NDArray norm = w.get(FINAL_NORM, hidden);
        NDArray head;
        if (c.tieWordEmbeddings() || !w.has(LM_HEAD)) {
            if (w.has(LM_HEAD)) {
                long[] shape = w.shape(LM_HEAD);
                if (!Arrays.equals(shape, new long[] {c.vocabSize(), hidden})) {
                    w.get(LM_HEAD, c.vocabSize(), hidden); // fails naming the tensor and both shapes
                }
                w.markConsumed(LM_HEAD);
            }
            head = embed;
        } else {
            head = w.get(LM_HEAD, c.vocabSize(), hidden);
        }
        return new LlamaWeights(embed, layers, norm, head);
    }

    /** Loads from a checkpoint whose names are already relative to the language model. */
    static LlamaWeights load(LlamaConfig c, Checkpoint checkpoint, NDManager manager, DataType dataType,
                             WeightLoader.Mode mode) {
        WeightLoader w = new WeightLoader(checkpoint, manager, dataType, mode).ignore(IGNORED);
        LlamaWeights weights = load(c, w);
        w.finish();
        return weights;
    }

    public NDArray embedTokens() {
        return embedTokens;
    }

    public List<Layer> layers() {
        return layers;
    }

    public NDArray norm() {
        return norm;
    }

    public NDArray lmHead() {
        return lmHead;
    }

    /** A linear weight by module name ({@code model.layers.{i}.self_attn.q_proj}); null when there is none. */
    public NDArray linear(String moduleName) {
        String prefix = "model.layers.";
        if (!moduleName.startsWith(prefix)) {
            return null;
        }
        int dot = moduleName.indexOf('.', prefix.length());
        if (dot < 0) {
            return null;
        }
        int layer;
        try {
            layer = Integer.parseInt(moduleName.substring(prefix.length(), dot));
        } catch (NumberFormatException e) {
            return null;
        }
        String module = moduleName.substring(dot + 1);
        if (layer < 0 || layer >= layers.size() || !LINEAR_MODULES.contains(module)) {
            return null;
        }
        return layers.get(layer).linear(module);
    }

    /** Every linear module name, layer by layer. */
    public List<String> linearModules() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            for (String m : LINEAR_MODULES) {
                names.add(linearModule(i, m));
            }
        }
        return names;
    }

    /** These weights with some linear weights replaced (the others shared). */
    LlamaWeights withLinears(Map<String, NDArray> replacements) {
        List<Layer> out = new ArrayList<>(layers);
        for (var e : replacements.entrySet()) {
            String name = e.getKey();
            if (linear(name) == null) {
                throw new IllegalArgumentException("no linear module " + name);
            }
            int layer = Integer.parseInt(name.substring("model.layers.".length(), name.indexOf('.', "model.layers.".length())));
            String module = name.substring(name.indexOf('.', "model.layers.".length()) + 1);
            out.set(layer, out.get(layer).withLinear(module, e.getValue()));
        }
        return new LlamaWeights(embedTokens, out, norm, lmHead);
    }

    /**
     * Random weights in Hugging Face layout, for demos, benchmarks and tests: linear and embedding
     * values uniform in {@code [-scale, scale]}, norm weights 1. Deterministic for a given
     * {@code random}; {@code lm_head.weight} is written only when embeddings are untied.
     */
    public static SafetensorsWriter random(LlamaConfig c, Random random, float scale) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put(EMBED_TOKENS, new long[] {c.vocabSize(), c.hiddenSize()});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = layerPrefix(i);
            shapes.put(p + INPUT_NORM + ".weight", new long[] {c.hiddenSize()});
            shapes.put(p + Q_PROJ + ".weight", new long[] {c.querySize(), c.hiddenSize()});
            shapes.put(p + K_PROJ + ".weight", new long[] {c.keyValueSize(), c.hiddenSize()});
            shapes.put(p + V_PROJ + ".weight", new long[] {c.keyValueSize(), c.hiddenSize()});
            shapes.put(p + O_PROJ + ".weight", new long[] {c.hiddenSize(), c.querySize()});
            shapes.put(p + POST_ATTENTION_NORM + ".weight", new long[] {c.hiddenSize()});
            shapes.put(p + GATE_PROJ + ".weight", new long[] {c.intermediateSize(), c.hiddenSize()});
            shapes.put(p + UP_PROJ + ".weight", new long[] {c.intermediateSize(), c.hiddenSize()});
            shapes.put(p + DOWN_PROJ + ".weight", new long[] {c.hiddenSize(), c.intermediateSize()});
        }
        shapes.put(FINAL_NORM, new long[] {c.hiddenSize()});
        if (!c.tieWordEmbeddings()) {
            shapes.put(LM_HEAD, new long[] {c.vocabSize(), c.hiddenSize()});
        }
        SafetensorsWriter out = new SafetensorsWriter();
        for (var e : shapes.entrySet()) {
            long[] shape = e.getValue();
            float[] values = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
            boolean norm = shape.length == 1;
            for (int i = 0; i < values.length; i++) {
                values[i] = norm ? 1f : (random.nextFloat() * 2f - 1f) * scale;
            }
            out.putFloats(e.getKey(), DType.F32, shape, values);
        }
        return out;
    }
}
