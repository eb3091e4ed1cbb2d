package dev.gpt4video.llm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** RMSNorm, RoPE and attention against plain loops written from the transformers equations. */
class BlocksTest {
    private static NDManager m;
    private final Random random = new Random(7);

    @BeforeAll
    static void engine() {
        m = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void release() {
        m.close();
    }

    private float[] randoms(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    @Test
    void rmsNormMatchesLoops() {
        int rows = 3;
        int dim = 8;
        float eps = 1e-5f;
        float[] x = randoms(rows * dim);
        float[] w = randoms(dim);
        float[] got = RmsNorm.forward(m.create(x, new Shape(rows, dim)), m.create(w), eps).toFloatArray();
        for (int r = 0; r < rows; r++) {
            double sq = 0;
            for (int i = 0; i < dim; i++) {
                sq += x[r * dim + i] * x[r * dim + i];
            }
            double inv = 1 / Math.sqrt(sq / dim + eps);
            for (int i = 0; i < dim; i++) {
                assertThat(got[r * dim + i]).isCloseTo((float) (x[r * dim + i] * inv * w[i]), within(1e-5f));
            }
        }
    }

    @Test
    void rmsNormKeepsHalfPrecisionInput() {
        NDArray x = m.create(randoms(8), new Shape(1, 8)).toType(DataType.FLOAT16, false);
        NDArray w = m.ones(new Shape(8)).toType(DataType.FLOAT16, false);
        assertThat(RmsNorm.forward(x, w, 1e-6f).getDataType()).isEqualTo(DataType.FLOAT16);
    }

    @Test
    void ropeMatchesLoopsWithLinearScaling() {
        int heads = 3;
        int hd = 8;
        double theta = 500.0;
        double factor = 4.0;
        int[] positions = {0, 5, 17, 63};
        RotaryEmbedding rope = new RotaryEmbedding(hd, theta, factor, 64);
        float[] x = randoms(positions.length * heads * hd);
        NDArray[] cs = rope.cosSin(m, positions, DataType.FLOAT32);
        float[] got = RotaryEmbedding.apply(m.create(x, new Shape(positions.length, heads, hd)), cs[0], cs[1],
                rope.rotateHalfMatrix(m, DataType.FLOAT32)).toFloatArray();
        for (int t = 0; t < positions.length; t++) {
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * hd;
                for (int j = 0; j < hd / 2; j++) {
                    double angle = positions[t] / factor / Math.pow(theta, 2.0 * j / hd);
                    double a = x[base + j];
                    double b = x[base + j + hd / 2];
                    assertThat(got[base + j]).isCloseTo((float) (a * Math.cos(angle) - b * Math.sin(angle)), within(1e-5f));
                    assertThat(got[base + j + hd / 2]).isCloseTo((float) (b * Math.cos(angle) + a * Math.sin(angle)),
                            within(1e-5f));
                }
            }
        }
    }

    @Test
    void groupedQueryAttentionMatchesLoops() {
        int heads = 4;
        int kvHeads = 2;
        int hd = 4;
        int start = 3;
        int n = 2;
        int total = start + n;
        float[] q = randoms(n * heads * hd);
        float[] k = randoms(kvHeads * total * hd);
        float[] v = randoms(kvHeads * total * hd);
        float[] got = CausalAttention.forward(m.create(q, new Shape(n, heads, hd)),
                m.create(k, new Shape(kvHeads, total, hd)), m.create(v, new Shape(kvHeads, total, hd)), start, m)
                .toFloatArray();
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < heads; h++) {
                int kvh = h / (heads / kvHeads);
                int visible = start + i + 1;
                double[] p = new double[visible];
                double sum = 0;
                for (int s = 0; s < visible; s++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) {
                        dot += q[(i * heads + h) * hd + d] * k[(kvh * total + s) * hd + d];
                    }
                    p[s] = Math.exp(dot);
                    sum += p[s];
                }
                for (int d = 0; d < hd; d++) {
                    double o = 0;
                    for (int s = 0; s < visible; s++) {
                        o += p[s] / sum * v[(kvh * total + s) * hd + d];
                    }
                    assertThat(got[i * heads * hd + h * hd + d]).isCloseTo((float) o, within(1e-5f));
                }
            }
        }
    }
}
