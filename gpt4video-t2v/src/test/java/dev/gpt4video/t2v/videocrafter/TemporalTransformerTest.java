package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * VideoCrafter's {@code init_attn} temporal transformer read from original names (Conv1d-shaped
 * {@code proj_in [inner, C, 1]} / {@code proj_out [C, inner, 1]}) against a loop transcription of
 * lvdm's {@code TemporalTransformer.forward}: GroupNorm over (C/G, F, h, w) per sample and group,
 * {@code 'b c t h w -> (b h w) t c'}, proj_in, the block (two relative-position self-attentions, GEGLU
 * feed-forward, pre-LN, residuals), proj_out, back, plus the input. Two samples, 5 frames with
 * tables for distance 2, 2x3 pixels, inner width 12 from 8 channels. Tolerance 1e-4.
 */
class TemporalTransformerTest {
    private static final String P = "model.diffusion_model.init_attn.0.";
    private static final int B = 2;
    private static final int F = 5;
    private static final int C = 8;
    private static final int H = 2;
    private static final int W = 3;
    private static final int GROUPS = 4;
    private static final int HEADS = 3;
    private static final int D = 4;
    private static final int INNER = HEADS * D;
    private static final int L = 2;

    private final Map<String, float[]> v = new HashMap<>();
    private final Map<String, long[]> s = new HashMap<>();
    private final Random random = new Random(21);

    @Test
    void initAttnMatchesLoops() {
        put("norm.weight", 1, 0.2, C);
        put("norm.bias", 0, 0.2, C);
        put("proj_in.weight", 0, 0.4, INNER, C, 1);
        put("proj_in.bias", 0, 0.1, INNER);
        String b = "transformer_blocks.0.";
        for (String a : new String[] {"attn1.", "attn2."}) {
            put(b + a + "to_q.weight", 0, 0.4, INNER, INNER);
            put(b + a + "to_k.weight", 0, 0.4, INNER, INNER);
            put(b + a + "to_v.weight", 0, 0.4, INNER, INNER);
            put(b + a + "to_out.0.weight", 0, 0.3, INNER, INNER);
            put(b + a + "to_out.0.bias", 0, 0.1, INNER);
            put(b + a + "relative_position_k.embeddings_table", 0, 0.7, 2 * L + 1, D);
            put(b + a + "relative_position_v.embeddings_table", 0, 0.7, 2 * L + 1, D);
        }
        for (String n : new String[] {"norm1", "norm2", "norm3"}) {
            put(b + n + ".weight", 1, 0.2, INNER);
            put(b + n + ".bias", 0, 0.1, INNER);
        }
        put(b + "ff.net.0.proj.weight", 0, 0.3, 8 * INNER, INNER);
        put(b + "ff.net.0.proj.bias", 0, 0.1, 8 * INNER);
        put(b + "ff.net.2.weight", 0, 0.2, INNER, 4 * INNER);
        put(b + "ff.net.2.bias", 0, 0.1, INNER);
        put("proj_out.weight", 0, 0.3, C, INNER, 1);
        put("proj_out.bias", 0, 0.1, C);
        float[] x = new float[B * F * C * H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 2 + 0.5);
        }

        try (NDManager m = NDManager.newBaseManager()) {
            TemporalTransformer block = TemporalTransformer.load(
                    VideoCrafterUNet.remapped(new MapWeights(v, s, m)).scope("init_attn.0."), C, HEADS, D, GROUPS, L);
            float[] actual = block.forward(m.create(x, new Shape(B * F, C, H, W)), F).toFloatArray();
            float[] expected = loop(x);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], Offset.offset(1e-4f));
            }
        }
    }

    private float[] loop(float[] x) {
        // GroupNorm over the (B, C, F, h, w) view, eps 1e-6.
        double[] normed = new double[x.length];
        int per = C / GROUPS;
        for (int b = 0; b < B; b++) {
            for (int g = 0; g < GROUPS; g++) {
                double sum = 0;
                double sq = 0;
                int count = 0;
                for (int c = g * per; c < (g + 1) * per; c++) {
                    for (int f = 0; f < F; f++) {
                        for (int p = 0; p < H * W; p++) {
                            double val = x[at(b, f, c, p)];
                            sum += val;
                            sq += val * val;
                            count++;
                        }
                    }
                }
                double mean = sum / count;
                double var = sq / count - mean * mean;
                for (int c = g * per; c < (g + 1) * per; c++) {
                    for (int f = 0; f < F; f++) {
                        for (int p = 0; p < H * W; p++) {
                            normed[at(b, f, c, p)] = (x[at(b, f, c, p)] - mean) / Math.sqrt(var + 1e-6)
                                    * v.get(P + "norm.weight")[c] + v.get(P + "norm.bias")[c];
                        }
                    }
                }
            }
        }
        String b0 = P + "transformer_blocks.0.";
        float[] out = x.clone();
        for (int b = 0; b < B; b++) {
            for (int p = 0; p < H * W; p++) {
                double[][] seq = new double[F][C];
                for (int f = 0; f < F; f++) {
                    for (int c = 0; c < C; c++) {
                        seq[f][c] = normed[at(b, f, c, p)];
                    }
                }
                double[][] h = Loops.linear(seq, v.get(P + "proj_in.weight"), v.get(P + "proj_in.bias"), INNER, C);
                h = Loops.add(h, attention(b0 + "attn1.", Loops.layerNorm(h, v.get(b0 + "norm1.weight"), v.get(b0 + "norm1.bias"), 1e-5)));
                h = Loops.add(h, attention(b0 + "attn2.", Loops.layerNorm(h, v.get(b0 + "norm2.weight"), v.get(b0 + "norm2.bias"), 1e-5)));
                double[][] z = Loops.linear(Loops.layerNorm(h, v.get(b0 + "norm3.weight"), v.get(b0 + "norm3.bias"), 1e-5),
                        v.get(b0 + "ff.net.0.proj.weight"), v.get(b0 + "ff.net.0.proj.bias"), 8 * INNER, INNER);
                double[][] gated = new double[F][4 * INNER];
                for (int f = 0; f < F; f++) {
                    for (int e = 0; e < 4 * INNER; e++) {
                        gated[f][e] = z[f][e] * Loops.gelu(z[f][4 * INNER + e]);
                    }
                }
                h = Loops.add(h, Loops.linear(gated, v.get(b0 + "ff.net.2.weight"), v.get(b0 + "ff.net.2.bias"), INNER, 4 * INNER));
                double[][] o = Loops.linear(h, v.get(P + "proj_out.weight"), v.get(P + "proj_out.bias"), C, INNER);
                for (int f = 0; f < F; f++) {
                    for (int c = 0; c < C; c++) {
                        out[at(b, f, c, p)] += (float) o[f][c];
                    }
                }
            }
        }
        return out;
    }

    private double[][] attention(String a, double[][] x) {
        return Loops.relativeAttention(x, v.get(a + "to_q.weight"), v.get(a + "to_k.weight"), v.get(a + "to_v.weight"),
                v.get(a + "to_out.0.weight"), v.get(a + "to_out.0.bias"), v.get(a + "relative_position_k.embeddings_table"),
                v.get(a + "relative_position_v.embeddings_table"), HEADS, D, L);
    }

    /** Index in the (B*F, C, h, w) input, pixel p = y*w + x. */
    private static int at(int b, int f, int c, int p) {
        return ((b * F + f) * C + c) * H * W + p;
    }

    private void put(String name, double mean, double std, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] a = new float[(int) n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (mean + std * random.nextGaussian());
        }
        v.put(P + name, a);
        s.put(P + name, shape);
    }
}
