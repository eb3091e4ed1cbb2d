package dev.gpt4video.abstractor.paper;

import dev.gpt4video.abstractor.nn.HiddenActivation;

import static dev.gpt4video.abstractor.nn.ConfigChecks.divides;
import static dev.gpt4video.abstractor.nn.ConfigChecks.positive;

/**
 * {@code paper_abstractor_config} in a checkpoint's {@code config.json}: sizes of the abstractor
 * written from the GPT4Video paper's equations (see {@code docs/abstractor.md}). The frame features
 * must have width {@code hidden_size}.
 *
 * @param outputSize the language model's hidden size (width of the projected tokens)
 */
public record PaperAbstractorConfig(Integer hiddenSize, Integer numHiddenLayers, Integer numAttentionHeads,
                                    Integer intermediateSize, Integer numQueryTokens, Integer outputSize,
                                    String hiddenAct, Double layerNormEps) {

    public PaperAbstractorConfig {
        hiddenSize = positive("paper_abstractor_config.hidden_size", hiddenSize == null ? 1024 : hiddenSize);
        numHiddenLayers = positive("paper_abstractor_config.num_hidden_layers", numHiddenLayers == null ? 6 : numHiddenLayers);
        numAttentionHeads = positive("paper_abstractor_config.num_attention_heads",
                numAttentionHeads == null ? 16 : numAttentionHeads);
        intermediateSize = positive("paper_abstractor_config.intermediate_size",
                intermediateSize == null ? 4096 : intermediateSize);
        numQueryTokens = positive("paper_abstractor_config.num_query_tokens", numQueryTokens == null ? 64 : numQueryTokens);
        outputSize = positive("paper_abstractor_config.output_size", outputSize == null ? 4096 : outputSize);
        hiddenAct = hiddenAct == null ? "gelu" : hiddenAct;
        HiddenActivation.of(hiddenAct, "paper_abstractor_config.hidden_act");
        layerNormEps = positive("paper_abstractor_config.layer_norm_eps", layerNormEps == null ? 1e-5 : layerNormEps);
        divides("paper_abstractor_config.hidden_size", numAttentionHeads, "num_attention_heads", hiddenSize);
    }

    public HiddenActivation activation() {
        return HiddenActivation.of(hiddenAct, "paper_abstractor_config.hidden_act");
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }
}
