package dev.gpt4video.abstractor.preprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.abstractor.decode.RgbImage;
import dev.gpt4video.abstractor.decode.VideoDecoder;
import dev.gpt4video.abstractor.preprocess.FramePreprocessor.CropRounding;
import dev.gpt4video.abstractor.preprocess.FramePreprocessor.Mode;
import dev.gpt4video.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden: {@code clip-vit-tiny/preprocess_golden.json}, openai/CLIP {@code _transform(32)} on Pillow 9.4
 * (torchvision 0.14.1). Tolerance, as its README states: sizes, crop offsets and uint8 pixels exact (our
 * resampler follows Pillow's fixed-point rules), {@code pixel_values} within 1e-6 (float32 recomputed from
 * the uint8 pixels; the JSON is rounded to 7 decimals).
 */
class ClipPreprocessParityTest {

    @Test
    void matchesOpenaiClipStepByStepOnBothOddSizedPngs() throws Exception {
        Path dir = Fixtures.require("clip-vit-tiny");
        JsonNode golden = new ObjectMapper().readTree(dir.resolve("preprocess_golden.json").toFile());
        FramePreprocessor openai = new FramePreprocessor(Mode.HF_CLIP, 32, CropRounding.HALF_EVEN,
                VideoDecoder.Scaler.BICUBIC);
        FramePreprocessor hf = openai.withCropRounding(CropRounding.FLOOR);
        float[] mean = floats(golden.get("normalization").get("mean"));
        float[] std = floats(golden.get("normalization").get("std"));
        assertThat(FramePreprocessor.CLIP_MEAN).containsExactly(mean);
        assertThat(FramePreprocessor.CLIP_STD).containsExactly(std);

        int checked = 0;
        for (JsonNode img : golden.get("images")) {
            String name = img.get("name").asText();
            RgbImage input = hwc(img.get("input_rgb_uint8_hwc"));
            assertThat(input.width()).isEqualTo(img.get("input_width").asInt());
            assertThat(input.height()).isEqualTo(img.get("input_height").asInt());
            assertThat(png(dir.resolve(img.get("png").asText())).pixels()).as("%s PNG pixels", name)
                    .isEqualTo(input.pixels());

            RgbImage resized = openai.resizeShortestEdge(input);
            assertThat(resized.width()).isEqualTo(img.get("resized_width").asInt());
            assertThat(resized.height()).isEqualTo(img.get("resized_height").asInt());
            assertThat(maxDiff(resized, hwc(img.get("resized_rgb_uint8_hwc")))).as("%s resized pixels", name).isZero();

            int[] tl = openai.cropOffsets(resized.width(), resized.height());
            assertThat(tl).containsExactly(img.get("crop_top").asInt(), img.get("crop_left").asInt());
            JsonNode hfOffsets = img.get("crop_offsets_other_conventions").properties().stream()
                    .filter(e -> e.getKey().startsWith("floor_div")).findFirst().orElseThrow().getValue();
            assertThat(hf.cropOffsets(resized.width(), resized.height()))
                    .containsExactly(hfOffsets.get(0).asInt(), hfOffsets.get(1).asInt());

            RgbImage cropped = openai.prepare(input);
            assertThat(maxDiff(cropped, hwc(img.get("cropped_rgb_uint8_hwc")))).as("%s cropped pixels", name).isZero();

            PixelValues pv = openai.image(input);
            assertThat(pv.shape()).containsExactly(1, 3, 32, 32);
            JsonNode gold = img.get("pixel_values");
            double worst = 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        double want = gold.get(c).get(y).get(x).asDouble();
                        worst = Math.max(worst, Math.abs(pv.data()[(c * 32 + y) * 32 + x] - want));
                    }
                }
            }
            assertThat(worst).as("%s pixel_values max abs diff", name).isLessThanOrEqualTo(1e-6);
            checked++;
        }
        assertThat(checked).isEqualTo(2);
    }

    static RgbImage hwc(JsonNode rows) {
        int h = rows.size();
        int w = rows.get(0).size();
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    px[(y * w + x) * 3 + c] = (byte) rows.get(y).get(x).get(c).asInt();
                }
            }
        }
        return new RgbImage(w, h, px);
    }

    static RgbImage png(Path file) throws Exception {
        BufferedImage img = ImageIO.read(file.toFile());
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                px[(y * w + x) * 3] = (byte) (rgb >> 16);
                px[(y * w + x) * 3 + 1] = (byte) (rgb >> 8);
                px[(y * w + x) * 3 + 2] = (byte) rgb;
            }
        }
        return new RgbImage(w, h, px);
    }

    private static float[] floats(JsonNode arr) {
        float[] f = new float[arr.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) arr.get(i).asDouble();
        }
        return f;
    }

    static int maxDiff(RgbImage a, RgbImage b) {
        assertThat(a.width()).isEqualTo(b.width());
        assertThat(a.height()).isEqualTo(b.height());
        int m = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            m = Math.max(m, Math.abs((a.pixels()[i] & 0xFF) - (b.pixels()[i] & 0xFF)));
        }
        return m;
    }
}
