package dev.gpt4video.abstractor.preprocess;

import dev.gpt4video.abstractor.decode.RgbImage;

/**
 * Pillow's {@code Image.resize((w, h), Image.BICUBIC)} for 8-bit RGB, reproduced bit for bit (Pillow
 * 9.4, {@code src/libImaging/Resample.c}): what torchvision and Hugging Face image processors run on PIL
 * images.
 *
 * <p>The rules: a separable filter, horizontal pass first into an 8-bit image, then vertical; an axis
 * whose size does not change is not resampled. For output index {@code i} of an axis scaled from
 * {@code n} to {@code m}: {@code scale = n/m}, {@code fs = max(scale, 1)} (shrinking widens the kernel,
 * i.e. antialiasing), {@code support = 2 fs}, {@code center = (i + 0.5) scale}, taps
 * {@code j in [max((int)(center - support + 0.5), 0), min((int)(center + support + 0.5), n))} with
 * weights {@code cubic((j - center + 0.5) / fs)} (Keys cubic, a = -0.5) normalised to sum 1, then
 * rounded to fixed point with 22 fraction bits (away from zero); each output is
 * {@code clamp((2^21 + sum(p_j k_j)) >> 22, 0, 255)} in int32.
 */
public final class PillowResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PillowResize() {
    }

    /** The picture resized to {@code width x height} with Pillow's BICUBIC filter. */
    public static RgbImage bicubic(RgbImage in, int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("size must be positive, got " + width + "x" + height);
        }
        byte[] px = in.pixels();
        int w = in.width();
        int h = in.height();
        if (width != w) {
            px = horizontal(px, w, h, width);
            w = width;
        }
        if (height != h) {
            px = vertical(px, w, h, height);
            h = height;
        }
        return px == in.pixels() ? new RgbImage(w, h, px.clone()) : new RgbImage(w, h, px);
    }

    /** Taps of one axis: for output i, the first input index, the tap count, and the fixed-point weights. */
    private record Taps(int[] first, int[] count, int[] weights, int ksize) {
    }

    private static Taps taps(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = 2.0 * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * ksize];
        double[] w = new double[ksize];
        for (int i = 0; i < outSize; i++) {
            double center = (i + 0.5) * scale;
            double inv = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            int n = xmax - xmin;
            double sum = 0;
            for (int x = 0; x < n; x++) {
                w[x] = cubic((x + xmin - center + 0.5) * inv);
                sum += w[x];
            }
            for (int x = 0; x < n; x++) {
                double k = sum != 0.0 ? w[x] / sum : w[x];
                weights[i * ksize + x] = k < 0 ? (int) (-0.5 + k * (1 << PRECISION_BITS))
                        : (int) (0.5 + k * (1 << PRECISION_BITS));
            }
            first[i] = xmin;
            count[i] = n;
        }
        return new Taps(first, count, weights, ksize);
    }

    /** Keys' cubic convolution kernel with a = -0.5, as Pillow writes it. */
    private static double cubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    private static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private static byte[] horizontal(byte[] src, int w, int h, int outW) {
        Taps t = taps(w, outW);
        byte[] dst = new byte[outW * h * 3];
        int half = 1 << (PRECISION_BITS - 1);
        for (int y = 0; y < h; y++) {
            int row = y * w * 3;
            for (int x = 0; x < outW; x++) {
                int r = half;
                int g = half;
                int b = half;
                int k0 = x * t.ksize();
                int p = row + t.first()[x] * 3;
                for (int j = 0; j < t.count()[x]; j++, p += 3) {
                    int k = t.weights()[k0 + j];
                    r += (src[p] & 0xFF) * k;
                    g += (src[p + 1] & 0xFF) * k;
                    b += (src[p + 2] & 0xFF) * k;
                }
                int o = (y * outW + x) * 3;
                dst[o] = clip8(r);
                dst[o + 1] = clip8(g);
                dst[o + 2] = clip8(b);
            }
        }
        return dst;
    }

    private static byte[] vertical(byte[] src, int w, int h, int outH) {
        Taps t = taps(h, outH);
        byte[] dst = new byte[w * outH * 3];
        int half = 1 << (PRECISION_BITS - 1);
        int stride = w * 3;
        for (int y = 0; y < outH; y++) {
            int k0 = y * t.ksize();
            int first = t.first()[y];
            int n = t.count()[y];
            for (int x = 0; x < w; x++) {
                int r = half;
                int g = half;
                int b = half;
                int p = first * stride + x * 3;
                for (int j = 0; j < n; j++, p += stride) {
                    int k = t.weights()[k0 + j];
                    r += (src[p] & 0xFF) * k;
                    g += (src[p + 1] & 0xFF) * k;
                    b += (src[p + 2] & 0xFF) * k;
                }
                int o = (y * w + x) * 3;
                dst[o] = clip8(r);
                dst[o + 1] = clip8(g);
                dst[o + 2] = clip8(b);
            }
        }
        return dst;
    }
}
