package dev.gpt4video.t2v.videocrafter;

/** Plain double-precision loop versions of the reference operations, for block-level expectations. */
final class Loops {
    private Loops() {
    }

    /** {@code torch.nn.LayerNorm} over each row. */
    static double[][] layerNorm(double[][] x, float[] g, float[] b, double eps) {
        double[][] out = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= x[t].length;
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[t].length;
            out[t] = new double[x[t].length];
            for (int c = 0; c < x[t].length; c++) {
                out[t][c] = (x[t][c] - mean) / Math.sqrt(var + eps) * g[c] + b[c];
            }
        }
        return out;
    }

    /** {@code y = W x + b} per row; {@code weight} is [out, in] row-major; {@code bias} may be null. */
    static double[][] linear(double[][] x, float[] weight, float[] bias, int out, int in) {
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double acc = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) {
                    acc += weight[o * in + i] * x[t][i];
                }
                y[t][o] = acc;
            }
        }
        return y;
    }

    static double[][] add(double[][] a, double[][] b) {
        double[][] y = new double[a.length][];
        for (int t = 0; t < a.length; t++) {
            y[t] = new double[a[t].length];
            for (int c = 0; c < a[t].length; c++) {
                y[t][c] = a[t][c] + b[t][c];
            }
        }
        return y;
    }

    /** Exact GELU, {@code 0.5 x (1 + erf(x / sqrt 2))}. */
    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7). */
    static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
                * Math.exp(-x * x);
        return Math.signum(x) * y;
    }

    /**
     * lvdm {@code CrossAttention} with relative positions on one sequence {@code x} (F, dim):
     * projections without bias, per head {@code softmax((q.k + q.Rk[d]) / sqrt(D))}, values plus
     * {@code Rv[d]}, {@code d = clamp(j - i, -L, L) + L}, then {@code to_out.0}.
     */
    static double[][] relativeAttention(double[][] x, float[] wq, float[] wk, float[] wv, float[] wo, float[] bo,
                                        float[] rk, float[] rv, int heads, int d, int maxDistance) {
        int f = x.length;
        int dim = x[0].length;
        int inner = heads * d;
        double[][] q = linear(x, wq, null, inner, dim);
        double[][] k = linear(x, wk, null, inner, dim);
        double[][] v = linear(x, wv, null, inner, dim);
        double scale = 1 / Math.sqrt(d);
        double[][] merged = new double[f][inner];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < f; i++) {
                double[] sim = new double[f];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < f; j++) {
                    int idx = Math.max(-maxDistance, Math.min(maxDistance, j - i)) + maxDistance;
                    double dot = 0;
                    double rel = 0;
                    for (int e = 0; e < d; e++) {
                        dot += q[i][h * d + e] * k[j][h * d + e];
                        rel += q[i][h * d + e] * rk[idx * d + e];
                    }
                    sim[j] = dot * scale + rel * scale;
                    max = Math.max(max, sim[j]);
                }
                double sum = 0;
                for (int j = 0; j < f; j++) {
                    sim[j] = Math.exp(sim[j] - max);
                    sum += sim[j];
                }
                for (int j = 0; j < f; j++) {
                    double p = sim[j] / sum;
                    int idx = Math.max(-maxDistance, Math.min(maxDistance, j - i)) + maxDistance;
                    for (int e = 0; e < d; e++) {
                        merged[i][h * d + e] += p * v[j][h * d + e] + p * rv[idx * d + e];
                    }
                }
            }
        }
        return linear(merged, wo, bo, dim, inner);
    }
}
