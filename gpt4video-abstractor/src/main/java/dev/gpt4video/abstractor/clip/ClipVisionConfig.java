package dev.gpt4video.abstractor.clip;

import dev.gpt4video.abstractor.nn.HiddenActivation;
import dev.gpt4video.core.config.HfConfigReader;

import java.nio.file.Path;
import java.util.List;

import static dev.gpt4video.abstractor.nn.ConfigChecks.divides;
import static dev.gpt4video.abstractor.nn.ConfigChecks.positive;

/**
 * Hugging Face {@code CLIPVisionConfig} ({@code config.json} keys in snake_case). Missing keys take
 * the Hugging Face class defaults; every value is checked here, naming the key when it is wrong.
 *
 * <pre>{@code
 * ClipVisionConfig c = ClipVisionConfig.read(dir.resolve("config.json")); // plain or nested in a CLIPModel config
 * }</pre>
 *
 * @param architectures decides whether the checkpoint holds {@code visual_projection.weight}
 *                      ({@code CLIPVisionModelWithProjection}, {@code CLIPModel}) or not ({@code CLIPVisionModel})
 */
public record ClipVisionConfig(Integer hiddenSize, Integer intermediateSize, Integer projectionDim,
                               Integer numHiddenLayers, Integer numAttentionHeads, Integer numChannels,
                               Integer imageSize, Integer patchSize, String hiddenAct, Double layerNormEps,
                               List<String> architectures) {

    public ClipVisionConfig {
        hiddenSize = positive("hidden_size", hiddenSize == null ? 768 : hiddenSize);
        intermediateSize = positive("intermediate_size", intermediateSize == null ? 3072 : intermediateSize);
        projectionDim = positive("projection_dim", projectionDim == null ? 512 : projectionDim);
        numHiddenLayers = positive("num_hidden_layers", numHiddenLayers == null ? 12 : numHiddenLayers);
        numAttentionHeads = positive("num_attention_heads", numAttentionHeads == null ? 12 : numAttentionHeads);
        numChannels = positive("num_channels", numChannels == null ? 3 : numChannels);
        imageSize = positive("image_size", imageSize == null ? 224 : imageSize);
        patchSize = positive("patch_size", patchSize == null ? 32 : patchSize);
        hiddenAct = hiddenAct == null ? "quick_gelu" : hiddenAct;
        HiddenActivation.of(hiddenAct, "hidden_act");
        layerNormEps = positive("layer_norm_eps", layerNormEps == null ? 1e-5 : layerNormEps);
        architectures = architectures == null ? List.of() : List.copyOf(architectures);
        divides("hidden_size", numAttentionHeads, "num_attention_heads", hiddenSize);
        divides("image_size", patchSize, "patch_size", imageSize);
    }

    /** Reads a {@code CLIPVisionConfig} file, or the {@code vision_config} of a {@code CLIPModel} one. */
    public static ClipVisionConfig read(Path configJson) {
        Composite top = HfConfigReader.read(configJson, Composite.class);
        if (!"clip".equals(top.modelType())) {
            return HfConfigReader.read(configJson, ClipVisionConfig.class);
        }
        ClipVisionConfig v = HfConfigReader.read(configJson, "vision_config", ClipVisionConfig.class);
        return new ClipVisionConfig(v.hiddenSize, v.intermediateSize, top.projectionDim() == null ? 512 : top.projectionDim(),
                v.numHiddenLayers, v.numAttentionHeads, v.numChannels, v.imageSize, v.patchSize, v.hiddenAct,
                v.layerNormEps, top.architectures() == null || top.architectures().isEmpty()
                        ? List.of("CLIPModel") : top.architectures());
    }

    /** The top-level keys of a {@code CLIPModel} config that matter here. */
    record Composite(String modelType, Integer projectionDim, List<String> architectures) {
    }

    /** True when the checkpoint has {@code visual_projection.weight}, so {@code image_embeds} exist. */
    public boolean withProjection() {
        return architectures.stream().anyMatch(a -> a.equals("CLIPVisionModelWithProjection") || a.equals("CLIPModel"));
    }

    public HiddenActivation activation() {
        return HiddenActivation.of(hiddenAct, "hidden_act");
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Patches along one side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Tokens per image: the class token plus one per patch. */
    public int tokens() {
        return gridSize() * gridSize() + 1;
    }
}
