package dev.gpt4video.safety.text;

/**
 * Multinomial logistic regression on embeddings, trained deterministically (zero init, full-batch
 * gradient descent with momentum, L2 penalty). Small enough to train at start-up on a few hundred
 * examples in well under a second.
 */
final class SoftmaxRegression {
    private final float[][] weights;
    private final float[] bias;

    private SoftmaxRegression(float[][] weights, float[] bias) {
        this.weights = weights;
        this.bias = bias;
    }

    static SoftmaxRegression train(float[][] x, int[] y, int classes, double l2, int epochs, double learningRate) {
        int n = x.length;
        int d = x[0].length;
        double[][] w = new double[classes][d];
        double[] b = new double[classes];
        double[][] vw = new double[classes][d];
        double[] vb = new double[classes];
        double momentum = 0.9;
        double[] p = new double[classes];
        for (int epoch = 0; epoch < epochs; epoch++) {
            double[][] gw = new double[classes][d];
            double[] gb = new double[classes];
            for (int i = 0; i < n; i++) {
                softmax(w, b, x[i], p);
                for (int c = 0; c < classes; c++) {
                    double g = (p[c] - (y[i] == c ? 1 : 0)) / n;
                    gb[c] += g;
                    double[] row = gw[c];
                    for (int j = 0; j < d; j++) {
                        row[j] += g * x[i][j];
                    }
                }
            }
            for (int c = 0; c < classes; c++) {
                for (int j = 0; j < d; j++) {
                    vw[c][j] = momentum * vw[c][j] - learningRate * (gw[c][j] + l2 * w[c][j]);
                    w[c][j] += vw[c][j];
                }
                vb[c] = momentum * vb[c] - learningRate * gb[c];
                b[c] += vb[c];
            }
        }
        float[][] fw = new float[classes][d];
        float[] fb = new float[classes];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < d; j++) {
                fw[c][j] = (float) w[c][j];
            }
            fb[c] = (float) b[c];
        }
        return new SoftmaxRegression(fw, fb);
    }

    private static void softmax(double[][] w, double[] b, float[] x, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < w.length; c++) {
            double z = b[c];
            for (int j = 0; j < x.length; j++) {
                z += w[c][j] * x[j];
            }
            out[c] = z;
            max = Math.max(max, z);
        }
        double sum = 0;
        for (int c = 0; c < w.length; c++) {
            out[c] = Math.exp(out[c] - max);
            sum += out[c];
        }
        for (int c = 0; c < w.length; c++) {
            out[c] /= sum;
        }
    }

    double[] probabilities(float[] x) {
        double[] z = new double[weights.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < weights.length; c++) {
            double s = bias[c];
            for (int j = 0; j < x.length; j++) {
                s += weights[c][j] * x[j];
            }
            z[c] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int c = 0; c < z.length; c++) {
            z[c] = Math.exp(z[c] - max);
            sum += z[c];
        }
        for (int c = 0; c < z.length; c++) {
            z[c] /= sum;
        }
        return z;
    }
}
