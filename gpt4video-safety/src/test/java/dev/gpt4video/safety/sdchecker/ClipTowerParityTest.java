package dev.gpt4video.safety.sdchecker;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Goldens: shared clip-vit-tiny, produced by openai/CLIP's own model and preprocessing code (see
 * its README). Tolerance 1e-4 on model outputs; resized pixels and crop offsets exact.
 */
class ClipTowerParityTest {

    @Test
    void pooledOutputAndProjectionMatchOpenAiClip() throws Exception {
        Path dir = Fixtures.require("clip-vit-tiny");
        JsonNode golden = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        ClipVisionSettings s = ClipVisionSettings.read(dir.resolve("config.json"));
        try (Checkpoint ckpt = Checkpoint.open(dir.resolve("model.safetensors"))) {
            WeightLoader w = new WeightLoader(ckpt, NDManager.newBaseManager(), DataType.FLOAT32, WeightLoader.Mode.STRICT);
            float[] proj = w.floats("visual_projection.weight", s.projectionDim(), s.hiddenSize());
            try (MinimalClipVisionTower tower = new MinimalClipVisionTower(s, w.scope("vision_model."))) {
                w.finish();
                for (JsonNode img : golden.path("images")) {
                    float[] px = flatten(img.path("pixel_values"));
                    float[] pooled = tower.pooledOutput(px, 1)[0];
                    for (int i = 0; i < pooled.length; i++) {
                        assertThat(pooled[i]).isCloseTo((float) img.path("pooler_output").get(i).asDouble(), within(1e-4f));
                    }
                    for (int o = 0; o < s.projectionDim(); o++) {
                        double e = 0;
                        for (int i = 0; i < s.hiddenSize(); i++) {
                            e += proj[o * s.hiddenSize() + i] * pooled[i];
                        }
                        assertThat(e).isCloseTo(img.path("image_embeds").get(o).asDouble(), within(1e-4));
                    }
                }
            }
        }
    }

    @Test
    void pillowBicubicAndCropMatchOpenAiPreprocessing() throws Exception {
        Path dir = Fixtures.require("clip-vit-tiny");
        JsonNode golden = new ObjectMapper().readTree(dir.resolve("preprocess_golden.json").toFile());
        ClipImagePreprocessor openai = new ClipImagePreprocessor(32, ClipImagePreprocessor.Crop.OPENAI_ROUND_HALF_EVEN);
        for (JsonNode img : golden.path("images")) {
            int w = img.path("input_width").asInt();
            int h = img.path("input_height").asInt();
            byte[] rgb = bytes(img.path("input_rgb_uint8_hwc"));
            int[] size = openai.resizedSize(w, h);
            assertThat(size).containsExactly(img.path("resized_width").asInt(), img.path("resized_height").asInt());
            byte[] resized = PilBicubic.resize(rgb, w, h, size[0], size[1]);
            assertThat(resized).as(img.path("name").asText()).isEqualTo(bytes(img.path("resized_rgb_uint8_hwc")));
            assertThat(openai.cropOffsets(size[0], size[1]))
                    .containsExactly(img.path("crop_top").asInt(), img.path("crop_left").asInt());
            float[] px = openai.pixelValues(rgb, w, h);
            float[] expected = flatten(img.path("pixel_values"));
            for (int i = 0; i < px.length; i++) {
                assertThat(px[i]).isCloseTo(expected[i], within(1e-6f));
            }
        }
        // HF's CLIPImageProcessor (used by the safety checker) floors instead: 43x32 crops at left 5, not 6.
        assertThat(new ClipImagePreprocessor(32, ClipImagePreprocessor.Crop.HF_FLOOR).cropOffsets(43, 32)).containsExactly(0, 5);
    }

    static float[] flatten(JsonNode n) {
        java.util.List<Float> out = new java.util.ArrayList<>();
        walk(n, out);
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    private static void walk(JsonNode n, java.util.List<Float> out) {
        if (n.isArray()) {
            n.forEach(c -> walk(c, out));
        } else {
            out.add((float) n.asDouble());
        }
    }

    static byte[] bytes(JsonNode n) {
        float[] f = flatten(n);
        byte[] b = new byte[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = (byte) (int) f[i];
        }
        return b;
    }
}
