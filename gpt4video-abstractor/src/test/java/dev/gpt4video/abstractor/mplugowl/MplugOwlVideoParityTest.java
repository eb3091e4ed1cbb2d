package dev.gpt4video.abstractor.mplugowl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gpt4video.abstractor.testing.Golden;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static dev.gpt4video.abstractor.testing.Golden.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

// Golden: mplug-owl-video-tiny/golden.json from X-PLUG/mPLUG-Owl mplug_owl_video @0f3068f (float32 CPU); tolerance 1e-4 max abs.
class MplugOwlVideoParityTest {
    private static final double TOLERANCE = 1e-4;

    private static NDManager manager;
    private static MplugOwlVisionModel vision;
    private static MplugOwlVisualAbstractor abstractor;
    private static JsonNode cases;

    @BeforeAll
    static void load() {
        Path dir = Fixtures.require("mplug-owl-video-tiny");
        manager = NDManager.newBaseManager();
        MplugOwlConfig config = MplugOwlConfig.read(dir.resolve("config.json"));
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            WeightLoader w = new WeightLoader(ckpt, manager, DataType.FLOAT32, WeightLoader.Mode.STRICT);
            vision = MplugOwlVisionModel.load(w, config.visionConfig());
            abstractor = MplugOwlVisualAbstractor.load(w, config);
            w.finish();
        }
        cases = Golden.read(dir.resolve("golden.json")).get("cases");
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"video_t4", "image_t1", "batch2_video_t4", "batch2_image_t1"})
    void visionAndAbstractorMatch(String name) {
        JsonNode c = cases.get(name);
        JsonNode v = c.get("vision");
        JsonNode a = c.get("abstractor");
        try (NDManager request = manager.newSubManager()) {
            NDArray pixels = Golden.array(request, c.get("pixel_values"));
            MplugOwlVisionModel.Output out = vision.forward(pixels, true);
            assertClose(name + " vision.embeddings", v.get("embeddings"), out.embeddings(), TOLERANCE);
            boolean video = v.has("temporal_outputs");
            assertThat(out.temporalOutputs()).hasSize(video ? v.get("temporal_outputs").size() : 0);
            for (int i = 0; i < out.temporalOutputs().size(); i++) {
                assertClose(name + " vision.temporal_outputs[" + i + "]", v.get("temporal_outputs").get(i),
                        out.temporalOutputs().get(i), TOLERANCE);
            }
            assertThat(out.layerOutputs()).hasSize(v.get("layer_outputs").size());
            for (int i = 0; i < out.layerOutputs().size(); i++) {
                assertClose(name + " vision.layer_outputs[" + i + "]", v.get("layer_outputs").get(i),
                        out.layerOutputs().get(i), TOLERANCE);
            }
            assertClose(name + " vision.last_hidden_state", v.get("last_hidden_state"), out.lastHiddenState(), TOLERANCE);
            assertClose(name + " vision.pooler_output", v.get("pooler_output"), out.poolerOutput(), TOLERANCE);

            MplugOwlVisualAbstractor.Output abs = abstractor.forward(out.lastHiddenState(), true);
            assertThat(abs.layerOutputs()).hasSize(a.get("layer_outputs").size());
            for (int i = 0; i < abs.layerOutputs().size(); i++) {
                assertClose(name + " abstractor.layer_outputs[" + i + "]", a.get("layer_outputs").get(i),
                        abs.layerOutputs().get(i), TOLERANCE);
            }
            assertClose(name + " abstractor.visual_embeddings", a.get("visual_embeddings"), abs.visualEmbeddings(), TOLERANCE);
        }
    }

    @Test
    void fiveDimensionalSingleFrameIsAnImage() {
        // The reference raises on [B,3,1,H,W]; this port treats it as the 4-D image it holds.
        JsonNode image = cases.get("image_t1");
        try (NDManager request = manager.newSubManager()) {
            NDArray pixels = Golden.array(request, image.get("pixel_values")).expandDims(2);
            NDArray features = vision.frameFeatures(pixels);
            assertClose("5-D T=1 last_hidden_state", image.get("vision").get("last_hidden_state"), features, TOLERANCE);
            assertClose("5-D T=1 visual_embeddings", image.get("abstractor").get("visual_embeddings"),
                    abstractor.apply(features), TOLERANCE);
        }
    }
}
