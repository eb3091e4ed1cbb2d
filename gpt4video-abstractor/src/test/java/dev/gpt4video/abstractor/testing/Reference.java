package dev.gpt4video.abstractor.testing;

/**
 * Plain-loop float64 building blocks for expected values, written independently of the DJL code
 * under test. Matrices are {@code double[rows][cols]}; weights are PyTorch {@code [out, in]} in C order.
 */
public final class Reference {
    private Reference() {
    }

    public static double[][] layerNorm(double[][] x, float[] gain, float[] bias, double eps) {
        double[][] y = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            int n = x[r].length;
            double mean = 0;
            for (double v : x[r]) {
                mean += v;
            }
            mean /= n;
            double var = 0;
            for (double v : x[r]) {
                var += (v - mean) * (v - mean);
            }
            var /= n;
            double inv = 1 / Math.sqrt(var + eps);
            y[r] = new double[n];
            for (int i = 0; i < n; i++) {
                y[r][i] = (x[r][i] - mean) * inv * gain[i] + bias[i];
            }
        }
        return y;
    }

    /** {@code x·Wᵀ + b} with {@code W [out, in]}. */
    public static double[][] linear(double[][] x, float[] weight, float[] bias) {
        int in = x[0].length;
        int out = weight.length / in;
        double[][] y = new double[x.length][out];
        for (int r = 0; r < x.length; r++) {
            for (int o = 0; o < out; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) {
                    s += x[r][i] * weight[o * in + i];
                }
                y[r][o] = s;
            }
        }
        return y;
    }

    /** Multi-head attention with head h on columns {@code [h·d, (h+1)·d)}, softmax(q·kᵀ/√d)·v, no mask. */
    public static double[][] attention(double[][] q, double[][] k, double[][] v, int heads) {
        int width = q[0].length, d = width / heads;
        double[][] out = new double[q.length][width];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < q.length; i++) {
                double[] scores = new double[k.length];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k.length; j++) {
                    double s = 0;
                    for (int c = 0; c < d; c++) {
                        s += q[i][h * d + c] * k[j][h * d + c];
                    }
                    scores[j] = s / Math.sqrt(d);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < k.length; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j < k.length; j++) {
                    for (int c = 0; c < d; c++) {
                        out[i][h * d + c] += scores[j] / sum * v[j][h * d + c];
                    }
                }
            }
        }
        return out;
    }

    public static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][a[0].length];
        for (int r = 0; r < a.length; r++) {
            for (int i = 0; i < a[r].length; i++) {
                y[r][i] = a[r][i] + b[r][i];
            }
        }
        return y;
    }

    /** Rows of {@code a} followed by rows of {@code b}. */
    public static double[][] rows(double[][] a, double[][] b) {
        double[][] y = new double[a.length + b.length][];
        System.arraycopy(a, 0, y, 0, a.length);
        System.arraycopy(b, 0, y, a.length, b.length);
        return y;
    }

    /** Exact GELU {@code x·Φ(x)}. */
    public static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** erf by its Maclaurin series (|x| ≤ 4; beyond, erf is ±1 to 1e-8), accurate to about 1e-9 in double. */
    public static double erf(double x) {
        if (Math.abs(x) > 4) {
            return Math.signum(x);
        }
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++) {
            double t = term / (2 * n + 1);
            sum += t;
            if (Math.abs(t) < 1e-17) {
                break;
            }
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    public static double[][] map(double[][] x, java.util.function.DoubleUnaryOperator f) {
        double[][] y = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            y[r] = new double[x[r].length];
            for (int i = 0; i < x[r].length; i++) {
                y[r][i] = f.applyAsDouble(x[r][i]);
            }
        }
        return y;
    }

    /** Rows {@code [offset, offset+count)} of width {@code width} from a flat C-order array. */
    public static double[][] matrix(float[] flat, int offset, int count, int width) {
        double[][] y = new double[count][width];
        for (int r = 0; r < count; r++) {
            for (int i = 0; i < width; i++) {
                y[r][i] = flat[(offset + r) * width + i];
            }
        }
        return y;
    }

    public static float[] flatten(double[][] x) {
        float[] y = new float[x.length * x[0].length];
        for (int r = 0; r < x.length; r++) {
            for (int i = 0; i < x[r].length; i++) {
                y[r * x[r].length + i] = (float) x[r][i];
            }
        }
        return y;
    }
}
