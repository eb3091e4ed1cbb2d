package dev.gpt4video.abstractor.decode;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;

/**
 * Test videos made by the tests themselves: frames that carry their own index (8 vertical bars, bar b
 * white when bit b of the index is set), written with JavaCV's FFmpegFrameRecorder, or with Debian's
 * ffmpeg CLI for H.264 (the LGPL FFmpeg in the JavaCV jar has no H.264 encoder).
 */
final class TestVideos {
    static final int BARS = 8;

    private TestVideos() {
    }

    /** An RGB frame showing {@code index} as 8 black/white bars, with a colour tint that varies per frame. */
    static byte[] counterFrame(int index, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int bar = x * BARS / w;
                boolean on = ((index >> bar) & 1) != 0;
                int o = (y * w + x) * 3;
                int v = on ? 235 : 20;
                rgb[o] = (byte) v;
                rgb[o + 1] = (byte) v;
                rgb[o + 2] = (byte) v;
            }
        }
        return rgb;
    }

    /** Reads the index back from an upright frame (the middle row, centre of each bar). */
    static int readCounter(RgbImage img) {
        int w = img.width();
        int y = img.height() / 2;
        int index = 0;
        for (int bar = 0; bar < BARS; bar++) {
            int x = (2 * bar + 1) * w / (2 * BARS);
            int sum = img.get(x, y, 0) + img.get(x, y, 1) + img.get(x, y, 2);
            if (sum > 3 * 128) {
                index |= 1 << bar;
            }
        }
        return index;
    }

    static boolean hasEncoder(String name) {
        var c = avcodec_find_encoder_by_name(name);
        return c != null && !c.isNull();
    }

    /** Spec of a recorder-made video. */
    record Spec(String format, String codecName, int pixelFormat, int width, int height, int frames, double fps,
                int gop) {
    }

    /** Writes a counter video with FFmpegFrameRecorder. */
    static Path record(Path out, Spec spec) throws Exception {
        return record(out, spec, null, 0);
    }

    /**
     * Writes a counter video; {@code timestampsMicros} (optional) gives each frame's presentation time for
     * variable frame rate, {@code displayRotation} (optional) a display-matrix rotation.
     */
    static Path record(Path out, Spec spec, long[] timestampsMicros, double displayRotation) throws Exception {
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(out.toFile(), spec.width(), spec.height(), 0)) {
            rec.setFormat(spec.format());
            rec.setVideoCodecName(spec.codecName());
            if (spec.pixelFormat() >= 0) {
                rec.setPixelFormat(spec.pixelFormat());
            }
            rec.setFrameRate(spec.fps());
            if (spec.gop() > 0) {
                rec.setGopSize(spec.gop());
            }
            if (spec.codecName().startsWith("libvpx")) {
                rec.setVideoBitrate(4_000_000);
            } else {
                rec.setVideoQuality(2);
            }
            if (displayRotation != 0) {
                rec.setDisplayRotation(displayRotation);
            }
            rec.start();
            for (int i = 0; i < spec.frames(); i++) {
                try (Frame f = rgbFrame(counterFrame(i, spec.width(), spec.height()), spec.width(), spec.height())) {
                    if (timestampsMicros != null) {
                        rec.setTimestamp(timestampsMicros[i]);
                    }
                    rec.record(f, AV_PIX_FMT_RGB24);
                }
            }
            rec.stop();
        }
        return out;
    }

    static Frame rgbFrame(byte[] rgb, int w, int h) {
        Frame f = new Frame(w, h, Frame.DEPTH_UBYTE, 3);
        ByteBuffer buf = (ByteBuffer) f.image[0];
        for (int y = 0; y < h; y++) {
            buf.position(y * f.imageStride);
            buf.put(rgb, y * w * 3, w * 3);
        }
        buf.position(0);
        return f;
    }

    /**
     * Every frame of a video, decoded sequentially by JavaCV's FFmpegFrameGrabber (no seeking), converted
     * to RGB with the same swscale filter: the independent second decode path.
     */
    static List<RgbImage> grabAll(Path video) throws Exception {
        List<RgbImage> out = new ArrayList<>();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile())) {
            g.setPixelFormat(AV_PIX_FMT_RGB24);
            g.setImageScalingFlags(SWS_BICUBIC);
            g.start();
            Frame f;
            while ((f = g.grabImage()) != null) {
                int w = f.imageWidth;
                int h = f.imageHeight;
                ByteBuffer buf = (ByteBuffer) f.image[0];
                byte[] rgb = new byte[w * h * 3];
                for (int y = 0; y < h; y++) {
                    buf.position(y * f.imageStride);
                    buf.get(rgb, y * w * 3, w * 3);
                }
                out.add(new RgbImage(w, h, rgb));
            }
            g.stop();
        }
        return out;
    }

    /**
     * Writes a counter video with the ffmpeg CLI from raw RGB frames; {@code encode} are the output
     * options (codec, pixel format, ...). Odd sizes work here, unlike with FFmpegFrameRecorder.
     */
    static Path cliCounterVideo(Path out, int w, int h, int frames, double fps, List<String> encode)
            throws IOException, InterruptedException {
        Path raw = Files.createTempFile(out.getParent(), "frames-", ".rgb");
        try (var os = Files.newOutputStream(raw)) {
            for (int i = 0; i < frames; i++) {
                os.write(counterFrame(i, w, h));
            }
        }
        List<String> args = new ArrayList<>(List.of("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", w + "x" + h,
                "-r", Double.toString(fps), "-i", raw.toString()));
        args.addAll(encode);
        args.add(out.toString());
        runFfmpeg(args.toArray(String[]::new));
        Files.delete(raw);
        return out;
    }

    /** Debian's ffmpeg CLI (with libx264), or a skipped test saying how to get it. */
    static String ffmpegCli() {
        for (String p : new String[] {"/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"}) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        Assumptions.abort("ffmpeg CLI not found (apt-get install -y ffmpeg); skipping the H.264 test");
        return null;
    }

    /** Runs the ffmpeg CLI quietly, failing the test on a non-zero exit. */
    static void runFfmpeg(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ffmpegCli());
        cmd.add("-hide_banner");
        cmd.add("-loglevel");
        cmd.add("error");
        cmd.add("-y");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] log = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ffmpeg timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new IOException("ffmpeg failed (" + p.exitValue() + "): " + cmd + "\n" + new String(log));
        }
    }
}
