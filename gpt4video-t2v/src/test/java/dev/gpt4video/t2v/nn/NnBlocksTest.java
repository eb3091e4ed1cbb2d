package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Shared blocks against expectations computed with plain loops in the test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NnBlocksTest {
    private NDManager manager;

    @BeforeAll
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    void close() {
        manager.close();
    }

    @Test
    void groupNormOnFiveDimensionsUsesStatisticsAcrossFrames() {
        int n = 2;
        int c = 6;
        int f = 3;
        int hw = 4;
        int groups = 3;
        float[] x = randoms(1, n * c * f * hw);
        RandomWeights w = RandomWeights.recording(manager, DataType.FLOAT32, 5);
        GroupNorm gn = GroupNorm.load(w, "gn", groups, c, 1e-5);
        float[] gamma = w.get("gn.weight", c).toFloatArray();
        float[] beta = w.get("gn.bias", c).toFloatArray();
        float[] got = gn.forward(manager.create(x, new Shape(n, c, f, 2, 2))).toFloatArray();

        int per = c / groups * f * hw;
        for (int s = 0; s < n; s++) {
            for (int g = 0; g < groups; g++) {
                int start = (s * c + g * (c / groups)) * f * hw;
                double mean = 0;
                for (int i = 0; i < per; i++) {
                    mean += x[start + i];
                }
                mean /= per;
                double var = 0;
                for (int i = 0; i < per; i++) {
                    var += (x[start + i] - mean) * (x[start + i] - mean);
                }
                var /= per;
                for (int i = 0; i < per; i++) {
                    int channel = g * (c / groups) + i / (f * hw);
                    double expected = (x[start + i] - mean) / Math.sqrt(var + 1e-5) * gamma[channel] + beta[channel];
                    assertThat((double) got[start + i]).isCloseTo(expected, within(1e-5));
                }
            }
        }
    }

    @Test
    void attentionMatchesLoopsAndSlicingChangesNothing() {
        int b = 2;
        int lq = 5;
        int lk = 7;
        int heads = 3;
        int d = 4;
        float[] q = randoms(2, b * lq * heads * d);
        float[] k = randoms(3, b * lk * heads * d);
        float[] v = randoms(4, b * lk * heads * d);
        NDArray qa = manager.create(q, new Shape(b, lq, heads * d));
        NDArray ka = manager.create(k, new Shape(b, lk, heads * d));
        NDArray va = manager.create(v, new Shape(b, lk, heads * d));
        float[] all = Attention.attend(qa, ka, va, heads, null, -1, false).toFloatArray();
        float[] sliced = Attention.attend(qa, ka, va, heads, null, 2, false).toFloatArray();
        float[] upcast = Attention.attend(qa, ka, va, heads, null, 1, true).toFloatArray();

        for (int s = 0; s < b; s++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < lq; i++) {
                    double[] p = new double[lk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < lk; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += q[((s * lq + i) * heads + h) * d + e] * k[((s * lk + j) * heads + h) * d + e];
                        }
                        p[j] = dot;
                        max = Math.max(max, dot);
                    }
                    double sum = 0;
                    for (int j = 0; j < lk; j++) {
                        p[j] = Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    for (int e = 0; e < d; e++) {
                        double o = 0;
                        for (int j = 0; j < lk; j++) {
                            o += p[j] / sum * v[((s * lk + j) * heads + h) * d + e];
                        }
                        int idx = ((s * lq + i) * heads + h) * d + e;
                        assertThat((double) all[idx]).isCloseTo(o, within(1e-5));
                        assertThat(sliced[idx]).isEqualTo(all[idx]);
                        assertThat((double) upcast[idx]).isCloseTo(o, within(1e-5));
                    }
                }
            }
        }
    }

    @Test
    void feedForwardIsGegluAndChunksRowsWithoutChangingThem() {
        RandomWeights w = RandomWeights.recording(manager, DataType.FLOAT32, 11);
        FeedForward ff = FeedForward.load(w, 4, 2);
        float[] w0 = w.get("net.0.proj.weight", 16, 4).toFloatArray();
        float[] b0 = w.get("net.0.proj.bias", 16).toFloatArray();
        float[] w2 = w.get("net.2.weight", 4, 8).toFloatArray();
        float[] b2 = w.get("net.2.bias", 4).toFloatArray();
        // A budget of two rows' intermediates: 5 rows run as chunks of 2, 2, 1.
        int rows = 5;
        int len = 3;
        float[] x = randoms(12, rows * len * 4);
        NDArray input = manager.create(x, new Shape(rows, len, 4));
        float[] got = ff.forward(input, 2L * len * 16 * 4).toFloatArray();
        // Same math; the matrix products may round differently for different row counts.
        float[] whole = ff.forward(input).toFloatArray();
        for (int i = 0; i < got.length; i++) {
            assertThat(got[i]).isCloseTo(whole[i], within(1e-6f));
        }
        for (int r = 0; r < rows * len; r++) {
            double[] z = new double[16];
            for (int o = 0; o < 16; o++) {
                z[o] = b0[o];
                for (int i = 0; i < 4; i++) {
                    z[o] += w0[o * 4 + i] * x[r * 4 + i];
                }
            }
            for (int o = 0; o < 4; o++) {
                double y = b2[o];
                for (int i = 0; i < 8; i++) {
                    double gate = z[8 + i];
                    double gelu = 0.5 * gate * (1 + erf(gate / Math.sqrt(2)));
                    y += w2[o * 8 + i] * z[i] * gelu;
                }
                assertThat((double) got[r * 4 + o]).isCloseTo(y, within(1e-5));
            }
        }
    }

    /** Numerical Recipes' erfc approximation (relative error below 1.2e-7). */
    private static double erf(double x) {
        double t = 1 / (1 + 0.5 * Math.abs(x));
        double y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }

    @Test
    void nearestUpsampleToAnOddSizeTakesFloorOfScaledIndex() {
        float[] x = randoms(6, 5 * 6);
        float[] got = Upsample2D.nearest(manager.create(x, new Shape(1, 1, 5, 6)), 9, 12).toFloatArray();
        for (int i = 0; i < 9; i++) {
            for (int j = 0; j < 12; j++) {
                int si = (int) Math.floor(i * (5f / 9));
                int sj = j / 2;
                assertThat(got[i * 12 + j]).isEqualTo(x[si * 6 + sj]);
            }
        }
    }

    @Test
    void sinusoidPutsCosineFirstWhenFlipped() {
        float[] e = Timesteps.sinusoid(new long[] {10}, 8, true, 0);
        for (int i = 0; i < 4; i++) {
            double freq = Math.exp(-Math.log(10000) * i / 4);
            assertThat((double) e[i]).isCloseTo(Math.cos(10 * freq), within(1e-5));
            assertThat((double) e[4 + i]).isCloseTo(Math.sin(10 * freq), within(1e-5));
        }
    }

    @Test
    void recordedRandomWeightsDoNotDependOnLoadOrder() {
        RandomWeights a = RandomWeights.recording(manager, DataType.FLOAT32, 9);
        a.get("x.weight", 3, 4);
        float[] first = a.get("y.weight", 4, 4).toFloatArray();
        RandomWeights b = RandomWeights.recording(manager, DataType.FLOAT32, 9);
        assertThat(b.get("y.weight", 4, 4).toFloatArray()).isEqualTo(first);
        assertThat(a.parameterCount()).isEqualTo(28);
        SafetensorsWriter writer = new SafetensorsWriter();
        a.writeTo(writer, DType.F32);
        assertThat(writer.size()).isEqualTo(2);
    }

    private static float[] randoms(long seed, int count) {
        Random r = new Random(seed);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) r.nextGaussian();
        }
        return out;
    }
}
