package dev.gpt4video.abstractor.mplugowl;

import dev.gpt4video.abstractor.nn.HiddenActivation;

import static dev.gpt4video.abstractor.nn.ConfigChecks.divides;
import static dev.gpt4video.abstractor.nn.ConfigChecks.positive;

/**
 * {@code vision_config} of an mPLUG-Owl checkpoint ({@code MplugOwlVisionConfig}); defaults are the
 * reference code's (ViT-L/14 at 224 px, eps 1e-6). Only the config eps is read from here: the
 * temporal module's LayerNorm is built without one in the reference and uses 1e-5.
 */
public record MplugOwlVisionConfig(Integer hiddenSize, Integer intermediateSize, Integer numHiddenLayers,
                                   Integer numAttentionHeads, Integer numChannels, Integer imageSize,
                                   Integer patchSize, String hiddenAct, Double layerNormEps) {

    public MplugOwlVisionConfig {
        hiddenSize = positive("vision_config.hidden_size", hiddenSize == null ? 1024 : hiddenSize);
        intermediateSize = positive("vision_config.intermediate_size", intermediateSize == null ? 4096 : intermediateSize);
        numHiddenLayers = positive("vision_config.num_hidden_layers", numHiddenLayers == null ? 24 : numHiddenLayers);
        numAttentionHeads = positive("vision_config.num_attention_heads", numAttentionHeads == null ? 16 : numAttentionHeads);
        numChannels = positive("vision_config.num_channels", numChannels == null ? 3 : numChannels);
        imageSize = positive("vision_config.image_size", imageSize == null ? 224 : imageSize);
        patchSize = positive("vision_config.patch_size", patchSize == null ? 14 : patchSize);
        hiddenAct = hiddenAct == null ? "quick_gelu" : hiddenAct;
        HiddenActivation.of(hiddenAct, "vision_config.hidden_act");
        layerNormEps = positive("vision_config.layer_norm_eps", layerNormEps == null ? 1e-6 : layerNormEps);
        divides("vision_config.hidden_size", numAttentionHeads, "num_attention_heads", hiddenSize);
        divides("vision_config.image_size", patchSize, "patch_size", imageSize);
        divides("vision_config.hidden_size", 2, "the temporal bottleneck divisor", hiddenSize);
    }

    public HiddenActivation activation() {
        return HiddenActivation.of(hiddenAct, "vision_config.hidden_act");
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Tokens per frame: the class token plus one per patch (257 for ViT-L/14 at 224 px). */
    public int tokens() {
        return gridSize() * gridSize() + 1;
    }

    /** Width of the temporal module's bottleneck (half the hidden size in the reference). */
    public int temporalWidth() {
        return hiddenSize / 2;
    }
}
