package dev.gpt4video.abstractor.mplugowl;

import dev.gpt4video.core.config.HfConfigReader;

import java.nio.file.Path;

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

    /** Width of the visual embeddings: the language model's hidden size. */
    public int llmHiddenSize() {
        return textConfig.hiddenSize();
    }
}
