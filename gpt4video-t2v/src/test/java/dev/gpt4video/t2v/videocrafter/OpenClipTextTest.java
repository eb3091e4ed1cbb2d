package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.gpt4video.t2v.text.ClipTextModel;
import org.junit.jupiter.api.Test;
import org.assertj.core.data.Offset;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenCLIP text tower read from original VideoCrafter names (fused {@code in_proj_weight}) against
 * a plain loop transcription of open_clip's {@code ResidualAttentionBlock} run to the penultimate
 * block, then {@code ln_final} (FrozenOpenCLIPEmbedder, layer "penultimate"). The last stored block
 * is filled with NaN to show it is never run. Tolerance 1e-4.
 */
class OpenClipTextTest {
    private static final int C = LvdmTinyCheckpoint.CTX;
    private static final int HEADS = 4;
    private static final String P = "cond_stage_model.model.";

    @Test
    void fusedQkvTowerMatchesLoops() {
        int vocab = 300;
        LvdmTinyCheckpoint ckpt = new LvdmTinyCheckpoint(5, vocab, false, false);
        String last = P + "transformer.resblocks." + (LvdmTinyCheckpoint.TEXT_LAYERS - 1) + ".";
        ckpt.values.forEach((name, v) -> {
            if (name.startsWith(last)) {
                java.util.Arrays.fill(v, Float.NaN);
            }
        });
        int[] ids = {298, 5, 17, 40, 299, 0, 0};
        try (NDManager m = NDManager.newBaseManager()) {
            ClipTextModel model = VideoCrafterPipeline.loadTextEncoder(new MapWeights(ckpt.values, ckpt.shapes, m),
                    LvdmTinyCheckpoint.videoCrafterConfig(vocab));
            NDArray out = model.encode(m, new int[][] {ids});
            float[] actual = out.toFloatArray();
            float[] expected = loop(ckpt.values, ids);
            assertThat(actual).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], Offset.offset(1e-4f));
            }
        }
    }

    private static float[] loop(Map<String, float[]> w, int[] ids) {
        int len = ids.length;
        double[][] h = new double[len][C];
        for (int t = 0; t < len; t++) {
            for (int c = 0; c < C; c++) {
                h[t][c] = w.get(P + "token_embedding.weight")[ids[t] * C + c] + w.get(P + "positional_embedding")[t * C + c];
            }
        }
        int d = C / HEADS;
        for (int layer = 0; layer < LvdmTinyCheckpoint.TEXT_LAYERS - 1; layer++) {
            String b = P + "transformer.resblocks." + layer + ".";
            double[][] a = Loops.layerNorm(h, w.get(b + "ln_1.weight"), w.get(b + "ln_1.bias"), 1e-5);
            double[][] qkv = Loops.linear(a, w.get(b + "attn.in_proj_weight"), w.get(b + "attn.in_proj_bias"), 3 * C, C);
            double[][] merged = new double[len][C];
            for (int head = 0; head < HEADS; head++) {
                for (int i = 0; i < len; i++) {
                    double[] s = new double[len];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += qkv[i][head * d + e] * qkv[j][C + head * d + e];
                        }
                        s[j] = dot / Math.sqrt(d);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j <= i; j++) {
                        for (int e = 0; e < d; e++) {
                            merged[i][head * d + e] += s[j] / sum * qkv[j][2 * C + head * d + e];
                        }
                    }
                }
            }
            double[][] attn = Loops.linear(merged, w.get(b + "attn.out_proj.weight"), w.get(b + "attn.out_proj.bias"), C, C);
            for (int t = 0; t < len; t++) {
                for (int c = 0; c < C; c++) {
                    h[t][c] += attn[t][c];
                }
            }
            double[][] fc = Loops.linear(Loops.layerNorm(h, w.get(b + "ln_2.weight"), w.get(b + "ln_2.bias"), 1e-5),
                    w.get(b + "mlp.c_fc.weight"), w.get(b + "mlp.c_fc.bias"), LvdmTinyCheckpoint.TEXT_MLP, C);
            for (double[] row : fc) {
                for (int c = 0; c < row.length; c++) {
                    row[c] = Loops.gelu(row[c]);
                }
            }
            double[][] mlp = Loops.linear(fc, w.get(b + "mlp.c_proj.weight"), w.get(b + "mlp.c_proj.bias"), C,
                    LvdmTinyCheckpoint.TEXT_MLP);
            for (int t = 0; t < len; t++) {
                for (int c = 0; c < C; c++) {
                    h[t][c] += mlp[t][c];
                }
            }
        }
        double[][] out = Loops.layerNorm(h, w.get(P + "ln_final.weight"), w.get(P + "ln_final.bias"), 1e-5);
        float[] flat = new float[len * C];
        for (int t = 0; t < len; t++) {
            for (int c = 0; c < C; c++) {
                flat[t * C + c] = (float) out[t][c];
            }
        }
        return flat;
    }
}
