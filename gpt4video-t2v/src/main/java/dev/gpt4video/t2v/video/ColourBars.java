package dev.gpt4video.t2v.video;

import dev.gpt4video.core.video.Frames;

import java.util.ArrayList;
import java.util.List;

/**
 * A test pattern: eight full-intensity vertical bars (white, yellow, cyan, green, magenta, red,
 * blue, black) over the top three quarters, and a white square moving left to right across a black
 * strip below, so that consecutive frames differ and playback is visibly running.
 */
public final class ColourBars {
    /** The bar colours, left to right, as {r, g, b}. */
    public static final int[][] COLOURS = {
            {255, 255, 255}, {255, 255, 0}, {0, 255, 255}, {0, 255, 0},
            {255, 0, 255}, {255, 0, 0}, {0, 0, 255}, {0, 0, 0}};

    private ColourBars() {
    }

    /** Height of the bar area; rows below it are the moving-square strip. */
    public static int barsHeight(int height) {
        return Math.max(1, height * 3 / 4);
    }

    /** Column range {@code [start, end)} of bar {@code index} in a frame {@code width} wide. */
    public static int barStart(int index, int width) {
        return index * width / COLOURS.length;
    }

    public static Frames frames(int width, int height, int count, double fps) {
        int barsHeight = barsHeight(height);
        int strip = height - barsHeight;
        List<byte[]> frames = new ArrayList<>(count);
        for (int f = 0; f < count; f++) {
            byte[] rgb = new byte[width * height * 3];
            for (int x = 0; x < width; x++) {
                int[] c = COLOURS[Math.min(COLOURS.length - 1, x * COLOURS.length / width)];
                for (int y = 0; y < barsHeight; y++) {
                    put(rgb, (y * width + x) * 3, c);
                }
            }
            if (strip > 0) {
                int side = Math.max(1, strip / 2);
                int left = count <= 1 ? 0 : (width - side) * f / (count - 1);
                int top = barsHeight + (strip - side) / 2;
                for (int y = top; y < top + side; y++) {
                    for (int x = left; x < left + side; x++) {
                        put(rgb, (y * width + x) * 3, COLOURS[0]);
                    }
                }
            }
            frames.add(rgb);
        }
        return new Frames(width, height, fps, frames);
    }

    private static void put(byte[] rgb, int at, int[] c) {
        rgb[at] = (byte) c[0];
        rgb[at + 1] = (byte) c[1];
        rgb[at + 2] = (byte) c[2];
    }
}
