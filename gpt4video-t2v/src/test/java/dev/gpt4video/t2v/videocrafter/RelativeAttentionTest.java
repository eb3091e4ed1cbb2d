package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * lvdm's relative-position attention against a plain loop transcription of
 * {@code CrossAttention.forward} with {@code relative_position=True} (einsums spelled out), on 6
 * frames with tables for distance 2, so clipping at both ends is exercised. Tolerance 1e-5.
 */
class RelativeAttentionTest {
    private static final int DIM = 8;
    private static final int HEADS = 2;
    private static final int D = 4;
    private static final int L = 2;
    private static final int F = 6;
    private static final int N = 3;

    @Test
    void matchesALoopOverFramesHeadsAndDistances() {
        Random random = new Random(11);
        Map<String, float[]> v = new HashMap<>();
        Map<String, long[]> s = new HashMap<>();
        put(v, s, random, "to_q.weight", DIM, DIM);
        put(v, s, random, "to_k.weight", DIM, DIM);
        put(v, s, random, "to_v.weight", DIM, DIM);
        put(v, s, random, "to_out.0.weight", DIM, DIM);
        put(v, s, random, "to_out.0.bias", DIM);
        put(v, s, random, "relative_position_k.embeddings_table", 2 * L + 1, D);
        put(v, s, random, "relative_position_v.embeddings_table", 2 * L + 1, D);
        float[] x = new float[N * F * DIM];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            RelativeAttention attn = RelativeAttention.load(new MapWeights(v, s, m), DIM, HEADS, D, L);
            NDArray out = attn.forward(m.create(x, new Shape(N, F, DIM)));
            assertThat(out.getShape()).isEqualTo(new Shape(N, F, DIM));
            float[] actual = out.toFloatArray();
            float[] expected = loop(v, x);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    /** Transcription of the reference with explicit loops; tables indexed by clamp(j - i, -L, L) + L. */
    private static float[] loop(Map<String, float[]> w, float[] x) {
        float[] wq = w.get("to_q.weight");
        float[] wk = w.get("to_k.weight");
        float[] wv = w.get("to_v.weight");
        float[] wo = w.get("to_out.0.weight");
        float[] bo = w.get("to_out.0.bias");
        float[] rk = w.get("relative_position_k.embeddings_table");
        float[] rv = w.get("relative_position_v.embeddings_table");
        double scale = 1 / Math.sqrt(D);
        float[] result = new float[N * F * DIM];
        for (int n = 0; n < N; n++) {
            double[][] q = project(wq, x, n);
            double[][] k = project(wk, x, n);
            double[][] val = project(wv, x, n);
            double[][] merged = new double[F][DIM];
            for (int h = 0; h < HEADS; h++) {
                for (int i = 0; i < F; i++) {
                    double[] sim = new double[F];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < F; j++) {
                        int idx = Math.max(-L, Math.min(L, j - i)) + L;
                        double dot = 0;
                        double rel = 0;
                        for (int d = 0; d < D; d++) {
                            dot += q[i][h * D + d] * k[j][h * D + d];
                            rel += q[i][h * D + d] * rk[idx * D + d];
                        }
                        sim[j] = dot * scale + rel * scale;
                        max = Math.max(max, sim[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < F; j++) {
                        sim[j] = Math.exp(sim[j] - max);
                        sum += sim[j];
                    }
                    for (int j = 0; j < F; j++) {
                        double p = sim[j] / sum;
                        int idx = Math.max(-L, Math.min(L, j - i)) + L;
                        for (int d = 0; d < D; d++) {
                            merged[i][h * D + d] += p * val[j][h * D + d] + p * rv[idx * D + d];
                        }
                    }
                }
            }
            for (int i = 0; i < F; i++) {
                for (int o = 0; o < DIM; o++) {
                    double acc = bo[o];
                    for (int c = 0; c < DIM; c++) {
                        acc += wo[o * DIM + c] * merged[i][c];
                    }
                    result[(n * F + i) * DIM + o] = (float) acc;
                }
            }
        }
        return result;
    }

    private static double[][] project(float[] weight, float[] x, int n) {
        double[][] out = new double[F][DIM];
        for (int f = 0; f < F; f++) {
            for (int o = 0; o < DIM; o++) {
                double acc = 0;
                for (int c = 0; c < DIM; c++) {
                    acc += weight[o * DIM + c] * x[(n * F + f) * DIM + c];
                }
                out[f][o] = acc;
            }
        }
        return out;
    }

    private static void put(Map<String, float[]> v, Map<String, long[]> s, Random r, String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] a = new float[(int) n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextGaussian() * 0.6);
        }
        v.put(name, a);
        s.put(name, shape);
    }
}
