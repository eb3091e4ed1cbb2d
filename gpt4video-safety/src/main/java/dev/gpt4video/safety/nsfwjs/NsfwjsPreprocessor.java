package dev.gpt4video.safety.nsfwjs;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * nsfwjs' {@code infer()} preprocessing: 8-bit RGB -> float32 {@code x/255} in [0,1] (no mean/std),
 * then, only when the image is not already square at the input size,
 * {@code tf.image.resizeBilinear(x, [s,s], alignCorners=true)} (aspect ratio not kept, no crop).
 * The resize follows tfjs' CPU kernel: JS (double) arithmetic on float32 inputs, float32 result.
 */
public final class NsfwjsPreprocessor {
    private NsfwjsPreprocessor() {
    }

    /** Packed RGB bytes ({@code width*height*3}) to an HWC float array of side {@code size}. */
    public static float[] toInput(byte[] rgb, int width, int height, int size) {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("expected " + width * height * 3 + " RGB bytes, got " + rgb.length);
        }
        float[] x = new float[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            x[i] = (rgb[i] & 0xFF) / 255f;
        }
        if (width == size && height == size) {
            return x;
        }
        return resizeBilinearAlignCorners(x, height, width, size, size);
    }

    static float[] resizeBilinearAlignCorners(float[] x, int oldH, int oldW, int newH, int newW) {
        double rowRatio = (double) (newH > 1 ? oldH - 1 : oldH) / (newH > 1 ? newH - 1 : newH);
        double colRatio = (double) (newW > 1 ? oldW - 1 : oldW) / (newW > 1 ? newW - 1 : newW);
        float[] out = new float[newH * newW * 3];
        int o = 0;
        for (int r = 0; r < newH; r++) {
            double fr = rowRatio * r;
            int r0 = (int) Math.max(0, Math.floor(fr));
            int r1 = (int) Math.min(oldH - 1, Math.ceil(fr));
            double rowFrac = fr - r0;
            for (int c = 0; c < newW; c++) {
                double fc = colRatio * c;
                int c0 = (int) Math.max(0, Math.floor(fc));
                int c1 = (int) Math.min(oldW - 1, Math.ceil(fc));
                double colFrac = fc - c0;
                for (int d = 0; d < 3; d++) {
                    double tl = x[(r0 * oldW + c0) * 3 + d];
                    double tr = x[(r0 * oldW + c1) * 3 + d];
                    double bl = x[(r1 * oldW + c0) * 3 + d];
                    double br = x[(r1 * oldW + c1) * 3 + d];
                    double top = tl + (tr - tl) * colFrac;
                    double bottom = bl + (br - bl) * colFrac;
                    out[o++] = (float) (top + (bottom - top) * rowFrac);
                }
            }
        }
        return out;
    }

    /** Decoded image as packed RGB bytes (alpha dropped, as {@code tf.browser.fromPixels(img, 3)}). */
    public static byte[] rgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int i = (y * w + x) * 3;
                out[i] = (byte) (p >> 16);
                out[i + 1] = (byte) (p >> 8);
                out[i + 2] = (byte) p;
            }
        }
        return out;
    }

    /** Decodes PNG/JPEG bytes; a file that is not an image fails with {@code unsupported_media_type}. */
    public static BufferedImage decode(byte[] imageBytes) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(imageBytes));
            if (img == null) {
                throw new Gpt4VideoException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "not a PNG or JPEG image");
            }
            return img;
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "cannot decode image: " + e.getMessage(), e);
        }
    }
}
