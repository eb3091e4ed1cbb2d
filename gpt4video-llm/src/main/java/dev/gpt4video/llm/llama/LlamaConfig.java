package dev.gpt4video.llm.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a LLaMA model, read from a Hugging Face {@code config.json}. Keys missing from the
 * file take the defaults of {@code transformers.LlamaConfig}; a bad value fails here, naming the
 * field, instead of deep inside a forward pass.
 *
 * <pre>{@code
 * LlamaConfig config = LlamaConfig.read(modelDir.resolve("config.json"));
 * }</pre>
 *
 * @param nameOrPath {@code _name_or_path} when the file has it (compared with a LoRA adapter's
 *     {@code base_model_name_or_path}), else null
 * @param bosTokenId -1 when the model has none
 * @param eosTokenIds empty when the model has none ({@code eos_token_id} may be a number or a list)
 */
public record LlamaConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int maxPositionEmbeddings,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        int bosTokenId,
        List<Integer> eosTokenIds,
        String nameOrPath) {

    /** Linear RoPE scaling ("position interpolation"): positions are divided by {@code factor}. */
    public record RopeScaling(String type, double factor) {
        public RopeScaling {
            if (!"linear".equals(type)) {
                throw invalid("rope_scaling.type", type, "only \"linear\" is supported");
            }
            if (!(factor >= 1.0) || Double.isInfinite(factor)) {
                throw invalid("rope_scaling.factor", factor, "must be a finite number >= 1");
            }
        }
    }

    public LlamaConfig {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw invalid("num_key_value_heads", numKeyValueHeads,
                    "must divide num_attention_heads (" + numAttentionHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw invalid("head_dim", headDim, "must be even for rotary embeddings");
        }
        if (!(rmsNormEps > 0) || Double.isInfinite(rmsNormEps)) {
            throw invalid("rms_norm_eps", rmsNormEps, "must be a finite number > 0");
        }
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw invalid("rope_theta", ropeTheta, "must be a finite number > 0");
        }
        if (bosTokenId < -1 || bosTokenId >= vocabSize) {
            throw invalid("bos_token_id", bosTokenId, "must be an id below vocab_size (" + vocabSize + ")");
        }
        eosTokenIds = List.copyOf(eosTokenIds == null ? List.of() : eosTokenIds);
        for (int id : eosTokenIds) {
            if (id < 0 || id >= vocabSize) {
                throw invalid("eos_token_id", id, "must be an id below vocab_size (" + vocabSize + ")");
            }
        }
    }

    /** Query heads that share one key/value head (1 without grouped-query attention). */
    public int queriesPerKeyValueHead() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Width of the key (and value) projection: {@code num_key_value_heads * head_dim}. */
    public int keyValueSize() {
        return numKeyValueHeads * headDim;
    }

    /** Width of the query projection: {@code num_attention_heads * head_dim}. */
    public int querySize() {
        return numAttentionHeads * headDim;
    }

    /** Reads {@code config.json}; an mPLUG-Owl config is read from its {@code text_config}. */
    public static LlamaConfig read(Path configJson) {
        try {
            return fromJson(new ObjectMapper().readTree(Files.readAllBytes(configJson)));
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, configJson + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses a Hugging Face Llama config tree (or a tree whose {@code text_config} is one). */
    public static LlamaConfig fromJson(JsonNode root) {
        JsonNode c = root;
        if (!c.has("hidden_size") && c.path("text_config").isObject()) {
            c = c.get("text_config");
        }
        String activation = c.path("hidden_act").asText("silu");
        if (!activation.equals("silu")) {
            throw invalid("hidden_act", activation, "only \"silu\" is supported");
        }
        for (String bias : new String[] {"attention_bias", "mlp_bias"}) {
            if (c.path(bias).asBoolean(false)) {
                throw invalid(bias, true, "biases are not supported (LLaMA has none)");
            }
        }
        int hidden = requiredInt(c, "hidden_size");
        int heads = requiredInt(c, "num_attention_heads");
        int headDim;
        if (c.hasNonNull("head_dim")) {
            headDim = intValue(c, "head_dim");
        } else {
            if (heads > 0 && hidden % heads != 0) {
                throw invalid("num_attention_heads", heads, "must divide hidden_size (" + hidden + ") when head_dim is absent");
            }
            headDim = heads > 0 ? hidden / heads : 0;
        }
        return new LlamaConfig(
                requiredInt(c, "vocab_size"),
                hidden,
                requiredInt(c, "intermediate_size"),
                requiredInt(c, "num_hidden_layers"),
                heads,
                c.hasNonNull("num_key_value_heads") ? intValue(c, "num_key_value_heads") : heads,
                headDim,
                c.hasNonNull("max_position_embeddings") ? intValue(c, "max_position_embeddings") : 2048,
                c.hasNonNull("rms_norm_eps") ? doubleValue(c, "rms_norm_eps") : 1e-6,
                c.hasNonNull("rope_theta") ? doubleValue(c, "rope_theta") : 10000.0,
                ropeScaling(c.get("rope_scaling")),
                c.path("tie_word_embeddings").asBoolean(false),
                c.hasNonNull("bos_token_id") ? intValue(c, "bos_token_id") : -1,
                eosIds(c.get("eos_token_id")),
                c.hasNonNull("_name_or_path") ? c.get("_name_or_path").asText() : null);
    }

    /** The config as Hugging Face writes it (keys in HF spelling), e.g. for a demo model's config.json. */
    public Map<String, Object> toHuggingFace() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("LlamaForCausalLM"));
        m.put("model_type", "llama");
        m.put("vocab_size", vocabSize);
        m.put("hidden_size", hiddenSize);
        m.put("intermediate_size", intermediateSize);
        m.put("num_hidden_layers", numHiddenLayers);
        m.put("num_attention_heads", numAttentionHeads);
        m.put("num_key_value_heads", numKeyValueHeads);
        m.put("head_dim", headDim);
        m.put("max_position_embeddings", maxPositionEmbeddings);
        m.put("rms_norm_eps", rmsNormEps);
        m.put("rope_theta", ropeTheta);
        m.put("rope_scaling", ropeScaling == null ? null
                : Map.of("type", ropeScaling.type(), "factor", ropeScaling.factor()));
        m.put("tie_word_embeddings", tieWordEmbeddings);
        m.put("hidden_act", "silu");
        if (bosTokenId >= 0) {
            m.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.size() == 1) {
            m.put("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            m.put("eos_token_id", eosTokenIds);
        }
        m.put("torch_dtype", "float32");
        if (nameOrPath != null) {
            m.put("_name_or_path", nameOrPath);
        }
        return m;
    }

    private static RopeScaling ropeScaling(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw invalid("rope_scaling", node, "must be null or an object");
        }
        // transformers >= 4.43 spells the key rope_type; "default" means no scaling.
        String type = node.hasNonNull("type") ? node.get("type").asText() : node.path("rope_type").asText(null);
        if ("default".equals(type)) {
            return null;
        }
        JsonNode factor = node.get("factor");
        if (factor == null || !factor.isNumber()) {
            throw invalid("rope_scaling.factor", factor, "must be a number");
        }
        return new RopeScaling(type, factor.asDouble());
    }

    private static List<Integer> eosIds(JsonNode node) {
        List<Integer> ids = new ArrayList<>();
        if (node == null || node.isNull()) {
            return ids;
        }
        if (node.isArray()) {
            for (JsonNode n : node) {
                ids.add(asInt("eos_token_id", n));
            }
        } else {
            ids.add(asInt("eos_token_id", node));
        }
        return ids;
    }

    private static int requiredInt(JsonNode c, String field) {
        if (!c.hasNonNull(field)) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "config.json: " + field + " is missing");
        }
        return intValue(c, field);
    }

    private static int intValue(JsonNode c, String field) {
        return asInt(field, c.get(field));
    }

    private static int asInt(String field, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw invalid(field, n, "must be an integer");
        }
        return n.intValue();
    }

    private static double doubleValue(JsonNode c, String field) {
        JsonNode n = c.get(field);
        if (!n.isNumber()) {
            throw invalid(field, n, "must be a number");
        }
        return n.doubleValue();
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw invalid(field, value, "must be > 0");
        }
    }

    private static Gpt4VideoException invalid(String field, Object value, String rule) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "config.json: " + field + " = " + value + ": " + rule);
    }
}
