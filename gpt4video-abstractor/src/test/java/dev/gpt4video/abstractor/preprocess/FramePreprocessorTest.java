package dev.gpt4video.abstractor.preprocess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.abstractor.decode.RgbImage;
import dev.gpt4video.abstractor.decode.VideoDecoder;
import dev.gpt4video.abstractor.preprocess.FramePreprocessor.CropRounding;
import dev.gpt4video.abstractor.preprocess.FramePreprocessor.Mode;
import dev.gpt4video.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FramePreprocessorTest {

    private static RgbImage random(int w, int h, long seed) {
        byte[] px = new byte[w * h * 3];
        new Random(seed).nextBytes(px);
        return new RgbImage(w, h, px);
    }

    /** Expected value computed here with plain float arithmetic, in the reference's order. */
    private static float expected(RgbImage img, int x, int y, int c) {
        float[] mean = {0.48145466f, 0.4578275f, 0.40821073f};
        float[] std = {0.26862954f, 0.26130258f, 0.27577711f};
        float v = img.get(x, y, c) / 255f;
        v = v - mean[c];
        return v / std[c];
    }

    @Test
    void videoLayoutIsBatchChannelTimeHeightWidth() {
        int s = 5;
        FramePreprocessor p = FramePreprocessor.mplugOwlVideo().withSize(s);
        List<List<RgbImage>> videos = List.of(
                List.of(random(s, s, 1), random(s, s, 2), random(s, s, 3)),
                List.of(random(s, s, 4), random(s, s, 5), random(s, s, 6)));
        PixelValues pv = p.videos(videos);
        assertThat(pv.shape()).containsExactly(2, 3, 3, s, s);
        for (int b = 0; b < 2; b++) {
            for (int c = 0; c < 3; c++) {
                for (int t = 0; t < 3; t++) {
                    for (int y = 0; y < s; y++) {
                        for (int x = 0; x < s; x++) {
                            int i = (((b * 3 + c) * 3 + t) * s + y) * s + x;
                            assertThat(pv.data()[i]).isEqualTo(expected(videos.get(b).get(t), x, y, c));
                        }
                    }
                }
            }
        }
    }

    @Test
    void imageLayoutIsBatchChannelHeightWidth() {
        FramePreprocessor p = FramePreprocessor.hfClip().withSize(4);
        List<RgbImage> images = List.of(random(4, 4, 7), random(4, 4, 8));
        PixelValues pv = p.images(images);
        assertThat(pv.shape()).containsExactly(2, 3, 4, 4);
        for (int b = 0; b < 2; b++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        assertThat(pv.data()[((b * 3 + c) * 4 + y) * 4 + x])
                                .isEqualTo(expected(images.get(b), x, y, c));
                    }
                }
            }
        }
    }

    /**
     * The 32x32 inputs of {@code golden.json} need no resize or crop, so its {@code pixel_values} check
     * the normalisation alone (README: 1e-6 for pixel_values recomputed in float32).
     */
    @Test
    void normalisationMatchesTheModelGoldenInputs() throws Exception {
        Path dir = Fixtures.require("clip-vit-tiny");
        JsonNode golden = new ObjectMapper().readTree(dir.resolve("golden.json").toFile());
        FramePreprocessor p = FramePreprocessor.hfClip().withSize(32);
        for (JsonNode img : golden.get("images")) {
            RgbImage input = ClipPreprocessParityTest.hwc(img.get("png_rgb_uint8_hwc"));
            PixelValues pv = p.image(input);
            JsonNode gold = img.get("pixel_values");
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        assertThat((double) pv.data()[(c * 32 + y) * 32 + x])
                                .isCloseTo(gold.get(c).get(y).get(x).asDouble(), org.assertj.core.data.Offset.offset(1e-6));
                    }
                }
            }
        }
    }

    @Test
    void hfAndOpenaiCropOffsetsDifferOnHalves() {
        // The README's 224 example: a 640x427 photo resizes to 335x224; HF crops at left 55, openai at 56.
        FramePreprocessor hf = FramePreprocessor.hfClip();
        RgbImage photo = random(640, 427, 9);
        RgbImage resized = hf.resizeShortestEdge(photo);
        assertThat(resized.width()).isEqualTo(335);
        assertThat(resized.height()).isEqualTo(224);
        assertThat(hf.cropOffsets(335, 224)).containsExactly(0, 55);
        assertThat(hf.withCropRounding(CropRounding.HALF_EVEN).cropOffsets(335, 224)).containsExactly(0, 56);
        RgbImage out = hf.prepare(photo);
        assertThat(out.width()).isEqualTo(224);
        assertThat(out.height()).isEqualTo(224);
        for (int y = 0; y < 224; y += 37) {
            for (int x = 0; x < 224; x += 41) {
                assertThat(out.get(x, y, 1)).isEqualTo(resized.get(x + 55, y, 1));
            }
        }
    }

    @Test
    void pillowResizeKeepsFlatColoursAndSkipsUnchangedAxes() {
        byte[] flat = new byte[30 * 20 * 3];
        for (int i = 0; i < flat.length; i += 3) {
            flat[i] = 10;
            flat[i + 1] = (byte) 200;
            flat[i + 2] = 77;
        }
        RgbImage img = new RgbImage(30, 20, flat);
        for (int[] size : new int[][] {{7, 5}, {30, 9}, {61, 20}, {100, 80}}) {
            RgbImage r = PillowResize.bicubic(img, size[0], size[1]);
            for (int i = 0; i < r.pixels().length; i += 3) {
                assertThat(r.pixels()[i]).isEqualTo((byte) 10);
                assertThat(r.pixels()[i + 1]).isEqualTo((byte) 200);
                assertThat(r.pixels()[i + 2]).isEqualTo((byte) 77);
            }
        }
        RgbImage noise = random(13, 11, 3);
        assertThat(PillowResize.bicubic(noise, 13, 11).pixels()).isEqualTo(noise.pixels());
    }

    @Test
    void mplugModePassesSquareFramesThroughAndResizesOthers() {
        FramePreprocessor p = new FramePreprocessor(Mode.MPLUG_OWL_VIDEO, 16, CropRounding.FLOOR,
                VideoDecoder.Scaler.BICUBIC);
        RgbImage square = random(16, 16, 4);
        assertThat(p.prepare(square)).isSameAs(square);
        RgbImage wide = random(40, 10, 5);
        RgbImage r = p.prepare(wide);
        assertThat(r.width()).isEqualTo(16);
        assertThat(r.height()).isEqualTo(16);
    }

    @Test
    void rejectsBadConfigAndShapes() {
        assertThatThrownBy(() -> FramePreprocessor.hfClip().withSize(0)).hasMessageContaining("size");
        FramePreprocessor p = FramePreprocessor.mplugOwlVideo().withSize(4);
        assertThatThrownBy(() -> p.videos(List.of(List.of(random(4, 4, 1)), List.of(random(4, 4, 1), random(4, 4, 2)))))
                .hasMessageContaining("same number of frames");
    }
}
