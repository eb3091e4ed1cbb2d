package dev.gpt4video.t2v.zeroscope;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gpt4video.t2v.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AutoencoderKL decoder vs t2v-tiny/golden/vae_golden.json (diffusers v0.24 on CPU, float32): the
 * decoded output and decoder intermediates of 3 cases, with the current and the legacy attention
 * tensor names, and frame-by-frame video decoding; absolute tolerance 1e-4 (README: float32 noise
 * <= 3.7e-6).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AutoencoderKlParityTest {
    private static final double TOLERANCE = 1e-4;
    private NDManager manager;
    private AutoencoderKlDecoder vae;
    private AutoencoderKlDecoder legacy;
    private Map<String, JsonNode> cases;

    @BeforeAll
    void load() {
        manager = NDManager.newBaseManager();
        vae = AutoencoderKlDecoder.load(Golden.dir().resolve("vae"), manager, DataType.FLOAT32, 0);
        legacy = AutoencoderKlDecoder.load(Golden.dir().resolve("vae_legacy_attention_names"), manager, DataType.FLOAT32, 0);
        cases = new HashMap<>();
        for (JsonNode c : Golden.read("vae_golden.json").get("cases")) {
            cases.put(c.get("name").asText(), c);
        }
    }

    @AfterAll
    void close() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a_1x4x4x4", "b_1x4x8x8", "c_2x4x8x12_two_frames"})
    void decodeMatches(String name) {
        JsonNode c = cases.get(name);
        try (NDManager m = manager.newSubManager()) {
            NDArray z = Golden.tensor(c.get("inputs").get("z")).toNDArray(m);
            Map<String, float[]> seen = new HashMap<>();
            float[] expected = Golden.tensor(c.get("decoded")).data();
            double out = Golden.maxAbsDiff(expected, vae.decode(z, (n, a) -> seen.put(n, a.toFloatArray())).toFloatArray());
            double legacyOut = Golden.maxAbsDiff(expected, legacy.decode(z).toFloatArray());
            double worst = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = c.get("intermediates").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                assertThat(seen).as("reported intermediates").containsKey(e.getKey());
                double d = Golden.maxAbsDiff(Golden.tensor(e.getValue()).data(), seen.get(e.getKey()));
                assertThat(d).as(e.getKey()).isLessThan(TOLERANCE);
                worst = Math.max(worst, d);
            }
            System.out.printf("vae %s: decoded max abs %.2e (legacy names %.2e), intermediates worst %.2e%n",
                    name, out, legacyOut, worst);
            assertThat(out).isLessThan(TOLERANCE);
            assertThat(legacyOut).isLessThan(TOLERANCE);
        }
    }

    @Test
    void videoDecodingFrameByFrameMatchesTheBatch() {
        // Case c holds two frames (N = 2); as pipeline latents they are (1, 4, F=2, 8, 12) times the scaling factor.
        JsonNode c = cases.get("c_2x4x8x12_two_frames");
        try (NDManager m = manager.newSubManager()) {
            NDArray z = Golden.tensor(c.get("inputs").get("z")).toNDArray(m);
            NDArray latents = z.mul((float) (double) vae.config().scalingFactor()).expandDims(0).transpose(0, 2, 1, 3, 4);
            NDArray video = vae.decodeVideo(latents, 1);
            assertThat(video.getShape().getShape()).containsExactly(1, 3, 2, 16, 24);
            float[] got = video.transpose(0, 2, 1, 3, 4).toFloatArray();
            double d = Golden.maxAbsDiff(Golden.tensor(c.get("decoded")).data(), got);
            System.out.printf("vae video (frame by frame) max abs %.2e%n", d);
            assertThat(d).isLessThan(TOLERANCE);
        }
    }
}
