package dev.gpt4video.t2v.video;

import java.nio.file.Path;

/**
 * Writes a colour-bar MP4 for playback checks ({@code scripts/e2e/run-mp4-playback.sh}).
 *
 * <pre>
 * java -cp … dev.gpt4video.t2v.video.Mp4DemoWriter out.mp4 [width=64] [height=48] [frames=24] [fps=8]
 * </pre>
 */
public final class Mp4DemoWriter {
    private Mp4DemoWriter() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Mp4DemoWriter OUT.mp4 [width=64] [height=48] [frames=24] [fps=8]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int width = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int height = args.length > 2 ? Integer.parseInt(args[2]) : 48;
        int frames = args.length > 3 ? Integer.parseInt(args[3]) : 24;
        double fps = args.length > 4 ? Double.parseDouble(args[4]) : 8;
        new Mp4Encoder().encode(ColourBars.frames(width, height, frames, fps), out);
        Mp4Encoder.Dimensions size = Mp4Encoder.encodedSize(width, height);
        System.out.printf("wrote %s: %dx%d, %d frames at %s fps, %.3f s%n", out, size.width(), size.height(),
                frames, fps, frames / fps);
    }
}
