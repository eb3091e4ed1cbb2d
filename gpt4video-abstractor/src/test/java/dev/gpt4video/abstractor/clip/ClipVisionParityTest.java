package dev.gpt4video.abstractor.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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

import java.nio.file.Path;

import static dev.gpt4video.abstractor.testing.Golden.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

// Golden: clip-vit-tiny/golden.json from openai/CLIP @d05afc4 (float32 CPU); tolerance 1e-4 max abs.
class ClipVisionParityTest {
    private static final double TOLERANCE = 1e-4;

    private static NDManager manager;
    private static ClipVisionModel model;
    private static JsonNode images;

    @BeforeAll
    static void load() {
        Path dir = Fixtures.require("clip-vit-tiny");
        manager = NDManager.newBaseManager();
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            WeightLoader w = new WeightLoader(ckpt, manager, DataType.FLOAT32, WeightLoader.Mode.STRICT);
            model = ClipVisionModel.load(w, ClipVisionConfig.read(dir.resolve("config.json")));
            w.finish();
        }
        images = Golden.read(dir.resolve("golden.json")).get("images");
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void everyStageMatchesPerImage() {
        for (JsonNode image : images) {
            String name = image.get("name").asText();
            try (NDManager request = manager.newSubManager()) {
                NDArray pixels = Golden.array(request, image.get("pixel_values")).expandDims(0);
                ClipVisionModel.Output out = model.forward(pixels, true);
                assertClose(name + " embeddings", image.get("embeddings"), out.embeddings().get(0), TOLERANCE);
                assertClose(name + " pre_layrnorm_output", image.get("pre_layrnorm_output"),
                        out.preLayernormOutput().get(0), TOLERANCE);
                for (int i = 0; i < out.layerOutputs().size(); i++) {
                    assertClose(name + " encoder layer " + i, image.get("encoder_layer_outputs").get(i),
                            out.layerOutputs().get(i).get(0), TOLERANCE);
                }
                assertClose(name + " last_hidden_state", image.get("last_hidden_state"), out.lastHiddenState().get(0), TOLERANCE);
                assertClose(name + " pooler_output", image.get("pooler_output"), out.poolerOutput().get(0), TOLERANCE);
                assertClose(name + " image_embeds", image.get("image_embeds"), out.imageEmbeds().get(0), TOLERANCE);
            }
        }
    }

    @Test
    void batchOfThreeMatches() {
        try (NDManager request = manager.newSubManager()) {
            NDList pixels = new NDList();
            for (JsonNode image : images) {
                pixels.add(Golden.array(request, image.get("pixel_values")));
            }
            ClipVisionModel.Output out = model.forward(NDArrays.stack(pixels), false);
            assertThat(out.lastHiddenState().getShape().getShape()).containsExactly(3, 17, 64);
            for (int b = 0; b < images.size(); b++) {
                JsonNode image = images.get(b);
                assertClose("batch row " + b + " last_hidden_state", image.get("last_hidden_state"),
                        out.lastHiddenState().get(b), TOLERANCE);
                assertClose("batch row " + b + " pooler_output", image.get("pooler_output"), out.poolerOutput().get(b), TOLERANCE);
                assertClose("batch row " + b + " image_embeds", image.get("image_embeds"), out.imageEmbeds().get(b), TOLERANCE);
            }
        }
    }

    @Test
    void forwardFreesItsIntermediates() {
        try (NDManager request = manager.newSubManager()) {
            NDArray pixels = Golden.array(request, images.get(0).get("pixel_values")).expandDims(0);
            int before = request.getManagedArrays().size();
            model.forward(pixels, false);
            // last_hidden_state, pooler_output, image_embeds and nothing else stays behind
            assertThat(request.getManagedArrays().size() - before).isEqualTo(3);
        }
    }
}
