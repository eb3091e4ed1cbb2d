package dev.gpt4video.t2v.text;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.t2v.nn.Activations;

/**
 * transformers' {@code CLIPTextConfig} ({@code text_encoder/config.json}); missing keys take
 * transformers' defaults. ZeroScope: hidden 1024, 23 layers, 16 heads, exact GELU.
 */
public record ClipTextConfig(Integer vocabSize, Integer hiddenSize, Integer intermediateSize, Integer numHiddenLayers,
                             Integer numAttentionHeads, Integer maxPositionEmbeddings, String hiddenAct,
                             Double layerNormEps) {
    public ClipTextConfig {
        vocabSize = vocabSize == null ? 49408 : vocabSize;
        hiddenSize = hiddenSize == null ? 512 : hiddenSize;
        intermediateSize = intermediateSize == null ? 2048 : intermediateSize;
        numHiddenLayers = numHiddenLayers == null ? 12 : numHiddenLayers;
        numAttentionHeads = numAttentionHeads == null ? 8 : numAttentionHeads;
        maxPositionEmbeddings = maxPositionEmbeddings == null ? 77 : maxPositionEmbeddings;
        hiddenAct = hiddenAct == null ? "quick_gelu" : hiddenAct;
        layerNormEps = layerNormEps == null ? 1e-5 : layerNormEps;
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (hiddenSize % numAttentionHeads != 0) {
            throw invalid("hidden_size", hiddenSize + " is not divisible by num_attention_heads " + numAttentionHeads);
        }
        if (!(layerNormEps > 0)) {
            throw invalid("layer_norm_eps", "must be positive, got " + layerNormEps);
        }
        try {
            Activations.byName(hiddenAct);
        } catch (Gpt4VideoException e) {
            throw invalid("hidden_act", e.getMessage());
        }
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw invalid(field, "must be positive, got " + value);
        }
    }

    private static Gpt4VideoException invalid(String field, String message) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "text_encoder config " + field + ": " + message);
    }
}
