package dev.gpt4video.abstractor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.gpt4video.abstractor.testing.Golden;
import dev.gpt4video.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

// Goldens: clip-vit-tiny (openai/CLIP @d05afc4) and mplug-owl-video-tiny (mPLUG-Owl @0f3068f), float32 CPU; tolerance 1e-4 max abs.
class VisionParityCliTest {
    private static final double TOLERANCE = 1e-4;

    @Test
    void clipOutputsMatchTheGoldenForABatch(@TempDir Path tmp) throws Exception {
        Path dir = Fixtures.require("clip-vit-tiny");
        JsonNode images = Golden.read(dir.resolve("golden.json")).get("images");
        ArrayNode pixels = JsonNodeFactory.instance.arrayNode();
        images.forEach(i -> pixels.add(i.get("pixel_values")));
        Path npy = tmp.resolve("pixels.npy");
        new NpyFile(Golden.flat(pixels), Golden.shape(pixels)).write(npy);
        Path out = tmp.resolve("out.json");

        assertThat(VisionParityCli.run(new String[] {dir.toString(), npy.toString(), "--out", out.toString()},
                System.out, System.err)).isEqualTo(0);

        JsonNode json = Golden.read(out);
        assertThat(json.get("tower").asText()).isEqualTo("clip");
        assertThat(json.has("visual_embeddings")).isFalse();
        for (String field : new String[] {"last_hidden_state", "pooler_output", "image_embeds"}) {
            ArrayNode expected = JsonNodeFactory.instance.arrayNode();
            images.forEach(i -> expected.add(i.get(field)));
            assertClose(field, expected, json.get(field));
        }
    }

    @Test
    void mplugOwlOutputsMatchTheGoldenForVideosAndImages(@TempDir Path tmp) throws Exception {
        Path dir = Fixtures.require("mplug-owl-video-tiny");
        JsonNode cases = Golden.read(dir.resolve("golden.json")).get("cases");
        for (String name : new String[] {"video_t4", "batch2_video_t4", "image_t1"}) {
            JsonNode c = cases.get(name);
            Path npy = tmp.resolve(name + ".npy");
            new NpyFile(Golden.flat(c.get("pixel_values")), Golden.shape(c.get("pixel_values"))).write(npy);
            Path out = tmp.resolve(name + ".json");
            assertThat(VisionParityCli.run(new String[] {dir.toString(), npy.toString(), "--out", out.toString()},
                    System.out, System.err)).isEqualTo(0);
            JsonNode json = Golden.read(out);
            assertThat(json.get("tower").asText()).isEqualTo("mplug_owl_video");
            assertThat(json.get("abstractor_mode").asText()).isEqualTo("mplug-owl-video");
            assertClose(name + " last_hidden_state", c.get("vision").get("last_hidden_state"), json.get("last_hidden_state"));
            assertClose(name + " pooler_output", c.get("vision").get("pooler_output"), json.get("pooler_output"));
            assertClose(name + " visual_embeddings", c.get("abstractor").get("visual_embeddings"), json.get("visual_embeddings"));
        }
    }

    @Test
    void badUsageAndBadInputsExitNonZero(@TempDir Path tmp) throws Exception {
        Path dir = Fixtures.require("mplug-owl-video-tiny");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true);
        assertThat(VisionParityCli.run(new String[] {dir.toString()}, System.out, errStream)).isEqualTo(2);
        assertThat(err.toString()).contains("usage:");

        Path npy = tmp.resolve("wrong.npy");
        new NpyFile(new float[3 * 32 * 32], new long[] {1, 3, 32, 32}).write(npy);
        err.reset();
        assertThat(VisionParityCli.run(new String[] {dir.toString(), npy.toString()}, System.out, errStream)).isEqualTo(1);
        assertThat(err.toString()).contains("invalid_request").contains("(1, 3, 32, 32)");
    }

    private static void assertClose(String what, JsonNode expected, JsonNode actual) {
        assertThat(actual).as(what + " present").isNotNull();
        assertThat(Golden.shape(actual)).as(what + " shape").containsExactly(Golden.shape(expected));
        float[] e = Golden.flat(expected), a = Golden.flat(actual);
        double max = 0;
        for (int i = 0; i < e.length; i++) {
            max = Math.max(max, Math.abs(e[i] - a[i]));
        }
        assertThat(max).as("%s max abs diff", what).isLessThanOrEqualTo(TOLERANCE);
    }
}
