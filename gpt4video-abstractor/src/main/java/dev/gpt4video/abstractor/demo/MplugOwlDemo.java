package dev.gpt4video.abstractor.demo;

import dev.gpt4video.abstractor.RandomCheckpoint;
import dev.gpt4video.abstractor.mplugowl.MplugOwlAbstractorConfig;
import dev.gpt4video.abstractor.mplugowl.MplugOwlConfig;
import dev.gpt4video.abstractor.mplugowl.MplugOwlVisionConfig;
import dev.gpt4video.abstractor.mplugowl.MplugOwlWeights;
import dev.gpt4video.core.bundle.ComponentWriter;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The tiny mPLUG-Owl video stack the demo bundle's {@code vision} and {@code abstractor}
 * components share: real tensor names and config layout, random weights. Both folders get the
 * same {@code config.json}; each gets its own half of the tensors.
 */
final class MplugOwlDemo {
    /**
     * The demo language model's hidden size, which the visual embeddings must match (written to the
     * abstractor's {@code text_config.hidden_size} and manifest option {@code llm_hidden_size}).
     */
    static final int LLM_HIDDEN_SIZE = 64;
    static final int FRAMES = 4;

    /** Vision 64 wide, 2 layers, 4 heads, 28 px / patch 14 (5 tokens a frame); abstractor 2 layers, 4 queries. */
    static final MplugOwlConfig CONFIG = new MplugOwlConfig(
            new MplugOwlVisionConfig(64, 128, 2, 4, 3, 28, 14, "quick_gelu", 1e-6),
            new MplugOwlAbstractorConfig(64, 2, 4, 256, 64, 1e-6),
            new MplugOwlConfig.TextConfig(LLM_HIDDEN_SIZE), 4);

    private MplugOwlDemo() {
    }

    /** Writes {@code config.json} and the tensors {@code select} accepts to {@code model.safetensors}. */
    static void write(ComponentWriter out, Predicate<String> select) throws IOException {
        out.writeJson("config.json", CONFIG.toJson());
        Map<String, long[]> shapes = new LinkedHashMap<>();
        MplugOwlWeights.shapes(CONFIG).forEach((name, shape) -> {
            if (select.test(name)) {
                shapes.put(name, shape);
            }
        });
        RandomCheckpoint.put(new SafetensorsWriter(), shapes, DType.F32, out.random()).write(out.file("model.safetensors"));
    }

    static boolean isVision(String name) {
        return name.startsWith(MplugOwlWeights.VISION);
    }
}
