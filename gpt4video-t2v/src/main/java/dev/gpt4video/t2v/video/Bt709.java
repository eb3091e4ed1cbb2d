package dev.gpt4video.t2v.video;

import org.jcodec.common.model.Picture;

/**
 * Packed RGB to limited-range BT.709 4:2:0, written into a JCodec picture. JCodec stores 8-bit
 * samples as signed bytes (value - 128). Samples outside the source (odd-size padding and the
 * macroblock-alignment area that the SPS crops away) repeat the nearest edge pixel, which keeps
 * the padding invisible after chroma subsampling and cheap to encode.
 */
final class Bt709 {
    private static final double KR = 0.2126;
    private static final double KB = 0.0722;
    private static final double KG = 1 - KR - KB;
    private static final double LUMA_SCALE = 219.0 / 255.0;
    private static final double CHROMA_SCALE = 224.0 / 255.0;

    private Bt709() {
    }

    static void fill(byte[] rgb, int width, int height, Picture picture) {
        byte[] yPlane = picture.getPlaneData(0);
        byte[] uPlane = picture.getPlaneData(1);
        byte[] vPlane = picture.getPlaneData(2);
        int lumaWidth = picture.getPlaneWidth(0);
        int lumaHeight = picture.getPlaneHeight(0);
        for (int y = 0; y < lumaHeight; y++) {
            int row = Math.min(y, height - 1) * width;
            for (int x = 0; x < lumaWidth; x++) {
                int p = (row + Math.min(x, width - 1)) * 3;
                double luma = KR * (rgb[p] & 0xff) + KG * (rgb[p + 1] & 0xff) + KB * (rgb[p + 2] & 0xff);
                yPlane[y * lumaWidth + x] = signed(16 + LUMA_SCALE * luma);
            }
        }
        int chromaWidth = picture.getPlaneWidth(1);
        int chromaHeight = picture.getPlaneHeight(1);
        for (int cy = 0; cy < chromaHeight; cy++) {
            for (int cx = 0; cx < chromaWidth; cx++) {
                // Average the 2x2 block in RGB; the transform is linear, so this equals averaging Cb/Cr.
                double r = 0;
                double g = 0;
                double b = 0;
                for (int dy = 0; dy < 2; dy++) {
                    int row = Math.min(2 * cy + dy, height - 1) * width;
                    for (int dx = 0; dx < 2; dx++) {
                        int p = (row + Math.min(2 * cx + dx, width - 1)) * 3;
                        r += rgb[p] & 0xff;
                        g += rgb[p + 1] & 0xff;
                        b += rgb[p + 2] & 0xff;
                    }
                }
                r /= 4;
                g /= 4;
                b /= 4;
                double luma = KR * r + KG * g + KB * b;
                uPlane[cy * chromaWidth + cx] = signed(128 + CHROMA_SCALE * (b - luma) / (2 * (1 - KB)));
                vPlane[cy * chromaWidth + cx] = signed(128 + CHROMA_SCALE * (r - luma) / (2 * (1 - KR)));
            }
        }
    }

    private static byte signed(double value) {
        long v = Math.round(value);
        return (byte) (Math.max(0, Math.min(255, v)) - 128);
    }
}
