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

    private static float[] loop(Map<String, float[]> w, float[] x) {
        float[] result = new float[N * F * DIM];
        for (int n = 0; n < N; n++) {
            double[][] seq = new double[F][DIM];
            for (int f = 0; f < F; f++) {
                for (int c = 0; c < DIM; c++) {
                    seq[f][c] = x[(n * F + f) * DIM + c];
                }
            }
            double[][] out = Loops.relativeAttention(seq, w.get("to_q.weight"), w.get("to_k.weight"), w.get("to_v.weight"),
                    w.get("to_out.0.weight"), w.get("to_out.0.bias"), w.get("relative_position_k.embeddings_table"),
                    w.get("relative_position_v.embeddings_table"), HEADS, D, L);
            for (int f = 0; f < F; f++) {
                for (int c = 0; c < DIM; c++) {
                    result[(n * F + f) * DIM + c] = (float) out[f][c];
                }
            }
        }
        return result;
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
