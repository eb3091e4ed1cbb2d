package dev.gpt4video.safety.sdchecker;

/**
 * Pillow's {@code Image.resize(size, BICUBIC)} for 8-bit RGB, bit for bit: cubic kernel a = -0.5,
 * widened by the scale when shrinking (antialiasing), weights in 22-bit fixed point, horizontal
 * pass first into an 8-bit image, then vertical; an axis whose size does not change is copied.
 * (Rules from Pillow's {@code libImaging/Resample.c}, as documented with the clip-vit-tiny fixture.)
 */
public final class PilBicubic {
    private static final int PRECISION_BITS = 22;

    private PilBicubic() {
    }

    /** Resizes packed HWC RGB bytes from {@code w x h} to {@code nw x nh}. */
    public static byte[] resize(byte[] rgb, int w, int h, int nw, int nh) {
        byte[] horizontal = nw == w ? rgb : pass(rgb, w, h, nw, true);
        return nh == h ? horizontal : pass(horizontal, nw, h, nh, false);
    }

    private static double cubic(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0;
    }

    /** One axis: {@code horizontal} maps width {@code w} to {@code out}; otherwise height {@code h} to {@code out}. */
    private static byte[] pass(byte[] src, int w, int h, int out, boolean horizontal) {
        int n = horizontal ? w : h;
        double scale = (double) n / out;
        double fs = Math.max(scale, 1);
        double support = 2 * fs;
        int[] min = new int[out];
        int[] count = new int[out];
        int[][] k = new int[out][];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), n);
            double[] wts = new double[xmax - xmin];
            double sum = 0;
            for (int j = xmin; j < xmax; j++) {
                double v = cubic((j - center + 0.5) / fs);
                wts[j - xmin] = v;
                sum += v;
            }
            k[i] = new int[wts.length];
            for (int j = 0; j < wts.length; j++) {
                double v = sum != 0 ? wts[j] / sum : 0;
                k[i][j] = (int) (v < 0 ? v * (1 << PRECISION_BITS) - 0.5 : v * (1 << PRECISION_BITS) + 0.5);
            }
            min[i] = xmin;
            count[i] = wts.length;
        }
        int ow = horizontal ? out : w;
        int oh = horizontal ? h : out;
        byte[] dst = new byte[ow * oh * 3];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int i = horizontal ? x : y;
                for (int c = 0; c < 3; c++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int j = 0; j < count[i]; j++) {
                        int sx = horizontal ? min[i] + j : x;
                        int sy = horizontal ? y : min[i] + j;
                        acc += (src[(sy * w + sx) * 3 + c] & 0xFF) * k[i][j];
                    }
                    int v = acc >> PRECISION_BITS;
                    dst[(y * ow + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return dst;
    }
}
