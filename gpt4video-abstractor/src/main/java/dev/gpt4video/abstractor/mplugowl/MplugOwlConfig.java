package dev.gpt4video.abstractor.mplugowl;

import dev.gpt4video.core.config.HfConfigReader;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.gpt4video.abstractor.nn.ConfigChecks.invalid;
import static dev.gpt4video.abstractor.nn.ConfigChecks.positive;

/**
 * The parts of an mPLUG-Owl {@code config.json} the visual stack needs. The top-level
 * {@code hidden_size} and friends are the <em>text</em> model's (the reference copies
 * {@code text_config} up), so sizes are read from the nested configs only.
 *
 * @param textConfig only its {@code hidden_size} is used: the width of the visual embeddings
 */
public record MplugOwlConfig(MplugOwlVisionConfig visionConfig, MplugOwlAbstractorConfig visualAbstractorConfig,
                             TextConfig textConfig, Integer numQueryTokens) {

    /** {@code text_config}: the language model's width (LLaMA-7B's 4096 by default). */
    public record TextConfig(Integer hiddenSize) {
        public TextConfig {
            hiddenSize = positive("text_config.hidden_size", hiddenSize == null ? 4096 : hiddenSize);
        }
    }

    public MplugOwlConfig {
        visionConfig = visionConfig == null ? new MplugOwlVisionConfig(null, null, null, null, null, null, null, null, null)
                : visionConfig;
        visualAbstractorConfig = visualAbstractorConfig == null
                ? new MplugOwlAbstractorConfig(null, null, null, null, null, null) : visualAbstractorConfig;
        textConfig = textConfig == null ? new TextConfig(null) : textConfig;
        numQueryTokens = positive("num_query_tokens", numQueryTokens == null ? 64 : numQueryTokens);
        if (!visualAbstractorConfig.encoderHiddenSize().equals(visionConfig.hiddenSize())) {
            throw invalid("visual_abstractor_config.encoder_hidden_size", visualAbstractorConfig.encoderHiddenSize()
                    + " differs from vision_config.hidden_size " + visionConfig.hiddenSize());
        }
    }

    public static MplugOwlConfig read(Path configJson) {
        return HfConfigReader.read(configJson, MplugOwlConfig.class);
    }

    /**
     * The {@code config.json} tree mPLUG-Owl's {@code save_pretrained} would write for these sizes,
     * reduced to the keys this port reads (plus {@code model_type} and {@code architectures}).
     */
    public Map<String, Object> toJson() {
        MplugOwlVisionConfig v = visionConfig;
        MplugOwlAbstractorConfig a = visualAbstractorConfig;
        Map<String, Object> vision = new LinkedHashMap<>();
        vision.put("model_type", "mplug_owl_vision_model");
        vision.put("hidden_size", v.hiddenSize());
        vision.put("intermediate_size", v.intermediateSize());
        vision.put("num_hidden_layers", v.numHiddenLayers());
        vision.put("num_attention_heads", v.numAttentionHeads());
        vision.put("num_channels", v.numChannels());
        vision.put("image_size", v.imageSize());
        vision.put("patch_size", v.patchSize());
        vision.put("hidden_act", v.hiddenAct());
        vision.put("layer_norm_eps", v.layerNormEps());
        Map<String, Object> abstractor = new LinkedHashMap<>();
        abstractor.put("model_type", "mplug_owl_visual_abstract");
        abstractor.put("hidden_size", a.hiddenSize());
        abstractor.put("num_hidden_layers", a.numHiddenLayers());
        abstractor.put("num_attention_heads", a.numAttentionHeads());
        abstractor.put("intermediate_size", a.intermediateSize());
        abstractor.put("encoder_hidden_size", a.encoderHiddenSize());
        abstractor.put("layer_norm_eps", a.layerNormEps());
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("architectures", List.of("MplugOwlForConditionalGeneration"));
        root.put("model_type", "mplug-owl");
        root.put("num_query_tokens", numQueryTokens);
        root.put("vision_config", vision);
        root.put("visual_abstractor_config", abstractor);
        root.put("text_config", Map.of("model_type", "llama", "hidden_size", textConfig.hiddenSize()));
        return root;
    }

    /** Width of the visual embeddings: the language model's hidden size. */
    public int llmHiddenSize() {
        return textConfig.hiddenSize();
    }
}
