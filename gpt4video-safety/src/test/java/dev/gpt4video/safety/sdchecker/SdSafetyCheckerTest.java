package dev.gpt4video.safety.sdchecker;

import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.core.video.Frames;
import dev.gpt4video.safety.video.FrameScore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A tiny random checker in the CompVis/diffusers layout, written here; expected values come from a
 * plain-loop CLIP forward and the diffusers scoring rules re-written in this test.
 */
class SdSafetyCheckerTest {
    static final int H = 8, F = 16, L = 2, HEADS = 2, P = 4, S = 8, PROJ = 6, T = (S / P) * (S / P) + 1;
    static final double EPS = 1e-5;

    final Map<String, float[]> w = new LinkedHashMap<>();
    final Map<String, long[]> shapes = new LinkedHashMap<>();

    @Test
    void scoresMatchAnIndependentLoopComputation(@TempDir Path dir) throws Exception {
        Random rnd = new Random(7);
        setUpWeights(rnd);

        List<byte[]> frames = List.of(randomFrame(rnd), randomFrame(rnd));
        double[][] cosConcept = new double[2][];
        double[][] cosSpecial = new double[2][];
        for (int i = 0; i < 2; i++) {
            double[] e = embeds(frames.get(i));
            cosConcept[i] = cosines(e, w.get("concept_embeds"), 17);
            cosSpecial[i] = cosines(e, w.get("special_care_embeds"), 3);
        }
        // Thresholds around frame 0's similarities: special 0 fires (adjustment 0.01), special 1 and
        // concepts 1, 4, 7... only fire thanks to the adjustment, concepts 0, 3, 6... fire anyway.
        float[] special = {(float) (cosSpecial[0][0] - 0.02), (float) (cosSpecial[0][1] + 0.004), (float) (cosSpecial[0][2] + 0.5)};
        float[] concept = new float[17];
        for (int c = 0; c < 17; c++) {
            concept[c] = (float) (cosConcept[0][c] + (c % 3 == 0 ? -0.05 : c % 3 == 1 ? 0.004 : 0.3));
        }
        write(dir, concept, special);

        try (SdSafetyChecker checker = SdSafetyChecker.load(dir)) {
            List<SdSafetyChecker.Result> got = checker.check(new Frames(S, S, 8, frames));
            for (int i = 0; i < 2; i++) {
                Expected e = diffusers(cosSpecial[i], cosConcept[i], special, concept);
                SdSafetyChecker.Result r = got.get(i);
                assertThat(r.specialScores()).as("frame %d special", i).containsExactly(e.special, within(1e-9));
                assertThat(r.conceptScores()).as("frame %d concepts", i).containsExactly(e.concept, within(1e-9));
                assertThat(r.nsfw()).isEqualTo(e.nsfw);
            }
            SdSafetyChecker.Result first = got.get(0);
            assertThat(first.specialScores()[0]).isGreaterThan(0);
            assertThat(first.specialScores()[1]).isEqualTo(0.006, within(1e-9));
            assertThat(first.badConcepts()).contains(0, 1, 3, 4).doesNotContain(2, 5);
            List<FrameScore> scores = checker.scoreFrames(new Frames(S, S, 8, frames));
            assertThat(scores.get(0).categories()).containsEntry("sexual", 1.0);
        }

        // All thresholds at 1: cosines of random vectors stay below, nothing fires.
        float[] ones = new float[17];
        java.util.Arrays.fill(ones, 1f);
        write(dir, ones, new float[] {1, 1, 1});
        try (SdSafetyChecker checker = SdSafetyChecker.load(dir)) {
            SdSafetyChecker.Result r = checker.check(new Frames(S, S, 8, frames)).get(1);
            Expected e = diffusers(cosSpecial[1], cosConcept[1], new float[] {1, 1, 1}, ones);
            assertThat(r.conceptScores()).containsExactly(e.concept, within(1e-9));
            assertThat(r.nsfw()).isFalse();
            assertThat(checker.scoreFrames(new Frames(S, S, 8, frames)).get(1).categories()).containsEntry("sexual", 0.0);
        }
    }

    @Test
    void unknownTensorIsRejected(@TempDir Path dir) throws Exception {
        Random rnd = new Random(1);
        setUpWeights(rnd);
        put("text_projection.weight", rnd, 1, 2, 2);
        write(dir, new float[17], new float[3]);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SdSafetyChecker.load(dir))
                .hasMessageContaining("text_projection.weight");
    }

    private void setUpWeights(Random rnd) {
        String v = "vision_model.vision_model.";
        put(v + "embeddings.patch_embedding.weight", rnd, 0.3, H, 3, P, P);
        put(v + "embeddings.class_embedding", rnd, 0.5, H);
        put(v + "embeddings.position_embedding.weight", rnd, 0.5, T, H);
        putLn(v + "pre_layrnorm", rnd);
        for (int l = 0; l < L; l++) {
            String p = v + "encoder.layers." + l + ".";
            putLn(p + "layer_norm1", rnd);
            putLn(p + "layer_norm2", rnd);
            for (String m : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                put(p + "self_attn." + m + ".weight", rnd, 0.4, H, H);
                put(p + "self_attn." + m + ".bias", rnd, 0.1, H);
            }
            put(p + "mlp.fc1.weight", rnd, 0.3, F, H);
            put(p + "mlp.fc1.bias", rnd, 0.1, F);
            put(p + "mlp.fc2.weight", rnd, 0.2, H, F);
            put(p + "mlp.fc2.bias", rnd, 0.1, H);
        }
        putLn(v + "post_layernorm", rnd);
        put("visual_projection.weight", rnd, 0.3, PROJ, H);
        put("concept_embeds", rnd, 1.0, 17, PROJ);
        put("special_care_embeds", rnd, 1.0, 3, PROJ);
    }

    record Expected(double[] special, double[] concept, boolean nsfw) {
    }

    /** diffusers StableDiffusionSafetyChecker.forward for one image (numpy 1.x float64 rounding). */
    static Expected diffusers(double[] cosSpecial, double[] cosConcept, float[] special, float[] concept) {
        double adjustment = 0.0;
        double[] s = new double[3];
        for (int c = 0; c < 3; c++) {
            s[c] = Math.rint((cosSpecial[c] - special[c] + adjustment) * 1000) / 1000;
            if (s[c] > 0) {
                adjustment = 0.01;
            }
        }
        double[] k = new double[17];
        boolean nsfw = false;
        for (int c = 0; c < 17; c++) {
            k[c] = Math.rint((cosConcept[c] - concept[c] + adjustment) * 1000) / 1000;
            nsfw |= k[c] > 0;
        }
        return new Expected(s, k, nsfw);
    }

    private void write(Path dir, float[] concept, float[] special) throws Exception {
        SafetensorsWriter sw = new SafetensorsWriter();
        w.forEach((n, v) -> sw.putFloats(n, shapes.get(n), v));
        sw.putFloats("concept_embeds_weights", new long[] {17}, concept);
        sw.putFloats("special_care_embeds_weights", new long[] {3}, special);
        sw.putLongs("vision_model.vision_model.embeddings.position_ids", new long[] {1, T}, new long[] {0, 1, 2, 3, 4});
        sw.write(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), """
                {"projection_dim": %d, "vision_config": {"hidden_size": %d, "intermediate_size": %d,
                 "num_hidden_layers": %d, "num_attention_heads": %d, "patch_size": %d, "image_size": %d,
                 "layer_norm_eps": 1e-5, "hidden_act": "quick_gelu"}}""".formatted(PROJ, H, F, L, HEADS, P, S));
    }

    private void put(String name, Random rnd, double std, long... shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (std * rnd.nextGaussian());
        }
        w.put(name, v);
        shapes.put(name, shape);
    }

    private void putLn(String prefix, Random rnd) {
        put(prefix + ".weight", rnd, 0.2, H);
        float[] g = w.get(prefix + ".weight");
        for (int i = 0; i < H; i++) {
            g[i] += 1;
        }
        put(prefix + ".bias", rnd, 0.1, H);
    }

    private static byte[] randomFrame(Random rnd) {
        byte[] b = new byte[S * S * 3];
        rnd.nextBytes(b);
        return b;
    }

    // ---- plain-loop CLIP vision forward (HF semantics), float64 ----

    private double[] embeds(byte[] rgb) {
        float[] mean = {0.48145466f, 0.4578275f, 0.40821073f};
        float[] std = {0.26862954f, 0.26130258f, 0.27577711f};
        double[][][] px = new double[3][S][S];
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                for (int c = 0; c < 3; c++) {
                    px[c][y][x] = ((rgb[(y * S + x) * 3 + c] & 0xFF) / 255f - mean[c]) / std[c];
                }
            }
        }
        String v = "vision_model.vision_model.";
        float[] pw = w.get(v + "embeddings.patch_embedding.weight");
        double[][] h = new double[T][H];
        for (int d = 0; d < H; d++) {
            h[0][d] = w.get(v + "embeddings.class_embedding")[d];
        }
        int g = S / P;
        for (int py = 0; py < g; py++) {
            for (int pxi = 0; pxi < g; pxi++) {
                for (int o = 0; o < H; o++) {
                    double s = 0;
                    for (int c = 0; c < 3; c++) {
                        for (int ky = 0; ky < P; ky++) {
                            for (int kx = 0; kx < P; kx++) {
                                s += pw[((o * 3 + c) * P + ky) * P + kx] * px[c][py * P + ky][pxi * P + kx];
                            }
                        }
                    }
                    h[1 + py * g + pxi][o] = s;
                }
            }
        }
        float[] pos = w.get(v + "embeddings.position_embedding.weight");
        for (int t = 0; t < T; t++) {
            for (int d = 0; d < H; d++) {
                h[t][d] += pos[t * H + d];
            }
        }
        h = ln(h, v + "pre_layrnorm");
        int hd = H / HEADS;
        for (int l = 0; l < L; l++) {
            String p = v + "encoder.layers." + l + ".";
            double[][] y = ln(h, p + "layer_norm1");
            double[][] q = linear(y, p + "self_attn.q_proj");
            double[][] k = linear(y, p + "self_attn.k_proj");
            double[][] val = linear(y, p + "self_attn.v_proj");
            double[][] a = new double[T][H];
            for (int head = 0; head < HEADS; head++) {
                for (int i = 0; i < T; i++) {
                    double[] sc = new double[T];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < T; j++) {
                        double s = 0;
                        for (int d = 0; d < hd; d++) {
                            s += q[i][head * hd + d] * k[j][head * hd + d];
                        }
                        sc[j] = s / Math.sqrt(hd);
                        max = Math.max(max, sc[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < T; j++) {
                        sc[j] = Math.exp(sc[j] - max);
                        sum += sc[j];
                    }
                    for (int d = 0; d < hd; d++) {
                        double s = 0;
                        for (int j = 0; j < T; j++) {
                            s += sc[j] / sum * val[j][head * hd + d];
                        }
                        a[i][head * hd + d] = s;
                    }
                }
            }
            double[][] o = linear(a, p + "self_attn.out_proj");
            for (int t = 0; t < T; t++) {
                for (int d = 0; d < H; d++) {
                    h[t][d] += o[t][d];
                }
            }
            double[][] m = linear(ln(h, p + "layer_norm2"), p + "mlp.fc1");
            for (double[] row : m) {
                for (int d = 0; d < row.length; d++) {
                    row[d] = row[d] / (1 + Math.exp(-1.702 * row[d]));
                }
            }
            double[][] m2 = linear(m, p + "mlp.fc2");
            for (int t = 0; t < T; t++) {
                for (int d = 0; d < H; d++) {
                    h[t][d] += m2[t][d];
                }
            }
        }
        double[] pooled = ln(new double[][] {h[0]}, v + "post_layernorm")[0];
        float[] proj = w.get("visual_projection.weight");
        double[] e = new double[PROJ];
        for (int o = 0; o < PROJ; o++) {
            for (int d = 0; d < H; d++) {
                e[o] += proj[o * H + d] * pooled[d];
            }
        }
        return e;
    }

    private double[][] ln(double[][] x, String prefix) {
        float[] g = w.get(prefix + ".weight");
        float[] b = w.get(prefix + ".bias");
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            int n = x[t].length;
            double mean = 0;
            for (double v : x[t]) {
                mean += v / n;
            }
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean) / n;
            }
            out[t] = new double[n];
            for (int d = 0; d < n; d++) {
                out[t][d] = (x[t][d] - mean) / Math.sqrt(var + EPS) * g[d] + b[d];
            }
        }
        return out;
    }

    private double[][] linear(double[][] x, String prefix) {
        float[] wt = w.get(prefix + ".weight");
        float[] b = w.get(prefix + ".bias");
        int out = b.length;
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) {
                    s += wt[o * in + i] * x[t][i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private static double[] cosines(double[] e, float[] rows, int n) {
        int d = e.length;
        double ne = 0;
        for (double v : e) {
            ne += v * v;
        }
        double[] out = new double[n];
        for (int r = 0; r < n; r++) {
            double dot = 0;
            double nr = 0;
            for (int i = 0; i < d; i++) {
                dot += e[i] * rows[r * d + i];
                nr += rows[r * d + i] * rows[r * d + i];
            }
            out[r] = dot / Math.sqrt(ne) / Math.sqrt(nr);
        }
        return out;
    }
}
