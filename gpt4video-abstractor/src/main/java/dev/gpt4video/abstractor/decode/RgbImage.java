package dev.gpt4video.abstractor.decode;

import java.util.Objects;

/**
 * An 8-bit RGB picture, row-major, 3 bytes per pixel (HWC), no row padding. The array is shared, not
 * copied: treat it as read-only.
 */
public record RgbImage(int width, int height, byte[] pixels) {

    public RgbImage {
        Objects.requireNonNull(pixels, "pixels");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pixels.length != Math.multiplyExact(Math.multiplyExact(width, height), 3)) {
            throw new IllegalArgumentException("expected " + (3L * width * height) + " bytes for " + width + "x"
                    + height + " RGB, got " + pixels.length);
        }
    }

    /** Channel {@code c} (0 = R) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }
}
