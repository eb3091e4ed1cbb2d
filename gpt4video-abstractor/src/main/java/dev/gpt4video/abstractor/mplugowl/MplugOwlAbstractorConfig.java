package dev.gpt4video.abstractor.mplugowl;

import static dev.gpt4video.abstractor.nn.ConfigChecks.divides;
import static dev.gpt4video.abstractor.nn.ConfigChecks.invalid;
import static dev.gpt4video.abstractor.nn.ConfigChecks.positive;

/**
 * {@code visual_abstractor_config} of an mPLUG-Owl checkpoint; defaults are the reference code's.
 * {@code layer_norm_eps} applies to the MLP's inner {@code ffn_ln} only; {@code norm1}, {@code normk}
 * and {@code norm2} are built without eps in the reference and use 1e-5.
 */
public record MplugOwlAbstractorConfig(Integer hiddenSize, Integer numHiddenLayers, Integer numAttentionHeads,
                                       Integer intermediateSize, Integer encoderHiddenSize, Double layerNormEps) {

    public MplugOwlAbstractorConfig {
        hiddenSize = positive("visual_abstractor_config.hidden_size", hiddenSize == null ? 1024 : hiddenSize);
        numHiddenLayers = positive("visual_abstractor_config.num_hidden_layers", numHiddenLayers == null ? 6 : numHiddenLayers);
        numAttentionHeads = positive("visual_abstractor_config.num_attention_heads",
                numAttentionHeads == null ? 16 : numAttentionHeads);
        intermediateSize = positive("visual_abstractor_config.intermediate_size",
                intermediateSize == null ? 4096 : intermediateSize);
        encoderHiddenSize = positive("visual_abstractor_config.encoder_hidden_size",
                encoderHiddenSize == null ? 1024 : encoderHiddenSize);
        layerNormEps = positive("visual_abstractor_config.layer_norm_eps", layerNormEps == null ? 1e-6 : layerNormEps);
        divides("visual_abstractor_config.hidden_size", numAttentionHeads, "num_attention_heads", hiddenSize);
        if (!encoderHiddenSize.equals(hiddenSize)) {
            // The reference concatenates normalised queries and features into one key/value sequence.
            throw invalid("visual_abstractor_config.encoder_hidden_size", encoderHiddenSize
                    + " differs from hidden_size " + hiddenSize + "; the keys/values [queries; features] need one width");
        }
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /**
     * The SwiGLU width the reference derives from {@code intermediate_size}: kept when it is 2816,
     * else {@code int(2·i/3)} rounded up to a multiple of 256 (4096 → 2816, 256 → 256).
     */
    public int swigluWidth() {
        if (intermediateSize == 2816) {
            return 2816;
        }
        int w = 2 * intermediateSize / 3;
        return (w + 255) / 256 * 256;
    }
}
