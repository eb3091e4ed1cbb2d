package dev.gpt4video.safety.bench;

import dev.gpt4video.core.video.Frames;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders the benign stand-in videos the understanding benchmark refers to ({@code synthetic:NAME}):
 * a plain background whose colour derives from the name, with a ball moving across it. They let
 * the benchmark exercise the video stage without shipping any footage.
 */
final class SyntheticVideos {
    private SyntheticVideos() {
    }

    static Frames render(String ref, int frames, int size) {
        String name = ref.startsWith("synthetic:") ? ref.substring("synthetic:".length()) : ref;
        int h = name.hashCode();
        int bgR = 60 + Math.floorMod(h, 160);
        int bgG = 60 + Math.floorMod(h >> 8, 160);
        int bgB = 60 + Math.floorMod(h >> 16, 160);
        int ballR = name.contains("red") ? 220 : 255 - bgR;
        List<byte[]> out = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            byte[] rgb = new byte[size * size * 3];
            double cx = size * (0.2 + 0.6 * f / Math.max(1, frames - 1));
            double cy = size * 0.5 + size * 0.25 * Math.sin(f * 0.7);
            double r = size * 0.12;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    boolean ball = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
                    int i = (y * size + x) * 3;
                    rgb[i] = (byte) (ball ? ballR : bgR);
                    rgb[i + 1] = (byte) (ball ? 40 : bgG);
                    rgb[i + 2] = (byte) (ball ? 40 : bgB);
                }
            }
            out.add(rgb);
        }
        return new Frames(size, size, 8, out);
    }
}
