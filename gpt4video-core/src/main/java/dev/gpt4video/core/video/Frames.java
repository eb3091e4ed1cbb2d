package dev.gpt4video.core.video;

import java.util.List;

/**
 * Decoded or generated video frames as packed 8-bit RGB ({@code width*height*3} bytes each, row
 * major), with the rate they play at.
 */
public record Frames(int width, int height, double fps, List<byte[]> rgb) {
    public Frames {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame size " + width + "x" + height);
        }
        if (!(fps > 0)) {
            throw new IllegalArgumentException("fps " + fps);
        }
        rgb = List.copyOf(rgb);
        for (byte[] f : rgb) {
            if (f.length != width * height * 3) {
                throw new IllegalArgumentException("frame of " + f.length + " bytes, expected " + width * height * 3);
            }
        }
    }

    public int count() {
        return rgb.size();
    }

    public double durationSeconds() {
        return rgb.size() / fps;
    }
}
