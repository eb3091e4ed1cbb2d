package dev.gpt4video.abstractor.decode;

/** Clockwise quarter turns of an {@link RgbImage}. */
final class Rotation {
    private Rotation() {
    }

    static RgbImage rotate(RgbImage in, int clockwiseDegrees) {
        int w = in.width();
        int h = in.height();
        byte[] src = in.pixels();
        switch (clockwiseDegrees) {
            case 0:
                return in;
            case 180: {
                byte[] dst = new byte[src.length];
                int n = w * h;
                for (int i = 0; i < n; i++) {
                    int j = n - 1 - i;
                    dst[3 * j] = src[3 * i];
                    dst[3 * j + 1] = src[3 * i + 1];
                    dst[3 * j + 2] = src[3 * i + 2];
                }
                return new RgbImage(w, h, dst);
            }
            case 90:
            case 270: {
                // Output is h wide and w tall. Clockwise: source (x, y) goes to (h-1-y, x).
                byte[] dst = new byte[src.length];
                boolean cw = clockwiseDegrees == 90;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int ox = cw ? h - 1 - y : y;
                        int oy = cw ? x : w - 1 - x;
                        int s = 3 * (y * w + x);
                        int d = 3 * (oy * h + ox);
                        dst[d] = src[s];
                        dst[d + 1] = src[s + 1];
                        dst[d + 2] = src[s + 2];
                    }
                }
                return new RgbImage(h, w, dst);
            }
            default:
                throw new IllegalArgumentException("rotation must be 0, 90, 180 or 270, got " + clockwiseDegrees);
        }
    }
}
