package dev.gpt4video.abstractor.decode;

import dev.gpt4video.abstractor.decode.TestVideos.Spec;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

/** Rotation metadata and variable frame rate: the frames come out upright, and by index, not by time. */
class RotationAndTimingTest {
    @TempDir
    Path dir;

    private final VideoDecoder decoder = new VideoDecoder();

    /**
     * {@code -metadata:s:v rotate=R} on a stream copy (ffmpeg turns the legacy tag into a display
     * matrix). Whatever sign convention the tag has had across FFmpeg versions, the decoder must show
     * what the ffmpeg CLI's own autorotate shows, and its {@code rotation} must name that turn.
     */
    @ParameterizedTest(name = "rotate={0}")
    @ValueSource(ints = {90, 180, 270})
    void rotationTagMatchesFfmpegAutorotate(int rotate) throws Exception {
        int w = 64;
        int h = 32;
        Path raw = writeRaw(w, h, 30);
        Path plain = dir.resolve("plain" + rotate + ".mp4");
        Path video = dir.resolve("rot" + rotate + ".mp4");
        TestVideos.runFfmpeg("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", w + "x" + h, "-r", "25", "-i", raw.toString(),
                "-c:v", "libx264", "-pix_fmt", "yuv444p", "-qp", "0", plain.toString());
        TestVideos.runFfmpeg("-i", plain.toString(), "-c", "copy", "-metadata:s:v:0", "rotate=" + rotate,
                video.toString());

        VideoProbe probe = decoder.probe(video);
        List<RgbImage> reference = cliFrames(video, rotate == 180 ? w : h, rotate == 180 ? h : w);
        assertThat(reference).hasSize(30);
        String corner = markerCorner(reference.get(0));
        int expectedRotation = switch (corner) {
            case "top-right" -> 90;
            case "bottom-right" -> 180;
            case "bottom-left" -> 270;
            default -> throw new AssertionError("ffmpeg autorotate put the marker at " + corner);
        };
        assertThat(probe.rotation()).isEqualTo(expectedRotation);
        assertThat(probe.displayWidth()).isEqualTo(rotate == 180 ? w : h);

        DecodedFrames got = decoder.sample(video, 4);
        for (int i = 0; i < 4; i++) {
            RgbImage frame = got.frame(i);
            assertThat(frame.width()).isEqualTo(probe.displayWidth());
            assertThat(frame.height()).isEqualTo(probe.displayHeight());
            assertThat(markerCorner(frame)).isEqualTo(corner);
            assertThat(VideoDecoderTest.maxAbsDiff(frame, reference.get(got.indices()[i])))
                    .as("rotate=%d frame %d vs ffmpeg autorotate", rotate, i).isLessThanOrEqualTo(2);
        }
    }

    /**
     * JavaCV's recorder writes a display matrix directly: {@code setDisplayRotation(a)} asks the player to
     * turn the picture counter-clockwise by {@code a}, so the top-left marker of the stored frame must end
     * up where that turn takes it.
     */
    @ParameterizedTest(name = "displayRotation={0}")
    @ValueSource(ints = {90, 180, -90})
    void displayMatrixFromRecorderIsHonoured(int counterClockwise) throws Exception {
        Spec spec = new Spec("mp4", "mpeg4", AV_PIX_FMT_YUV420P, 64, 32, 12, 25, 4);
        Path video = dir.resolve("dm" + counterClockwise + ".mp4");
        recordWithMarker(video, spec, counterClockwise);
        VideoProbe probe = decoder.probe(video);
        int clockwise = Math.floorMod(-counterClockwise, 360);
        assertThat(probe.rotation()).isEqualTo(clockwise);
        DecodedFrames got = decoder.sample(video, 3);
        for (RgbImage frame : got.frames()) {
            assertThat(frame.width()).isEqualTo(clockwise == 180 ? 64 : 32);
            assertThat(markerCorner(frame)).isEqualTo(switch (clockwise) {
                case 90 -> "top-right";
                case 180 -> "bottom-right";
                default -> "bottom-left";
            });
        }
        // Resizing in the decoder gives the requested upright size whatever the rotation.
        DecodedFrames small = decoder.sample(video, 2, 20, 10);
        assertThat(small.width()).isEqualTo(20);
        assertThat(small.height()).isEqualTo(10);
    }

    /**
     * Frames 10 ms apart, then 200 ms apart: the frame a time-based seek ({@code index / fps}) would pick
     * is wrong, the index-based one is not, and the reported timestamps are the frames' own.
     */
    @Test
    void variableFrameRateFromRecorderTimestamps() throws Exception {
        int frames = 40;
        long[] t = new long[frames];
        for (int i = 1; i < frames; i++) {
            t[i] = t[i - 1] + (i < 20 ? 10_000 : 200_000) + (i % 3 == 0 ? 3_000 : 0);
        }
        Spec spec = new Spec("matroska", "mpeg4", AV_PIX_FMT_YUV420P, 64, 48, frames, 1000, 8);
        Path video = TestVideos.record(dir.resolve("vfr.mkv"), spec, t, 0);
        for (int n : new int[] {4, 8}) {
            DecodedFrames got = decoder.sample(video, n);
            int[] expected = FrameSampler.indices(frames, n);
            assertThat(got.indices()).containsExactly(expected);
            for (int i = 0; i < n; i++) {
                assertThat(TestVideos.readCounter(got.frame(i))).isEqualTo(expected[i]);
                assertThat(got.timestamps()[i]).isCloseTo(t[expected[i]] / 1e6, Offset.offset(0.0015));
            }
        }
    }

    /** H.264 with B-frames and jittered timestamps, from the ffmpeg CLI. */
    @Test
    void variableFrameRateH264WithBFrames() throws Exception {
        int frames = 80;
        Path raw = writeRaw(64, 48, frames);
        Path video = dir.resolve("vfr-h264.mp4");
        TestVideos.runFfmpeg("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "64x48", "-r", "25", "-i", raw.toString(),
                "-vf", "settb=1/1000,setpts=(N*0.04+if(gte(N\\,40)\\,1.5\\,0)+if(eq(mod(N\\,3)\\,1)\\,0.013\\,0))/TB",
                "-fps_mode", "passthrough", "-r", "1000", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "10", "-bf", "3",
                "-g", "24", video.toString());
        for (int n : new int[] {4, 8, 16}) {
            DecodedFrames got = decoder.sample(video, n);
            int[] expected = FrameSampler.indices(frames, n);
            assertThat(got.totalFrames()).isEqualTo(frames);
            for (int i = 0; i < n; i++) {
                int k = expected[i];
                assertThat(TestVideos.readCounter(got.frame(i))).as("n=%d i=%d", n, i).isEqualTo(k);
                double want = k * 0.04 + (k >= 40 ? 1.5 : 0) + (k % 3 == 1 ? 0.013 : 0);
                assertThat(got.timestamps()[i]).isCloseTo(want, Offset.offset(0.0021));
            }
        }
    }

    private Path writeRaw(int w, int h, int frames) throws IOException {
        Path raw = dir.resolve("frames-" + w + "x" + h + "-" + frames + ".rgb");
        try (var out = Files.newOutputStream(raw)) {
            for (int i = 0; i < frames; i++) {
                out.write(markerFrame(i, w, h));
            }
        }
        return raw;
    }

    /** The counter frame with a red block in the top-left corner (a quarter of each side). */
    static byte[] markerFrame(int index, int w, int h) {
        byte[] rgb = TestVideos.counterFrame(index, w, h);
        for (int y = 0; y < h / 4; y++) {
            for (int x = 0; x < w / 4; x++) {
                int o = (y * w + x) * 3;
                rgb[o] = (byte) 230;
                rgb[o + 1] = 10;
                rgb[o + 2] = 10;
            }
        }
        return rgb;
    }

    /** Which corner holds the red block. */
    static String markerCorner(RgbImage img) {
        int w = img.width();
        int h = img.height();
        int[][] corners = {{w / 16, h / 16}, {w - 1 - w / 16, h / 16}, {w / 16, h - 1 - h / 16},
                {w - 1 - w / 16, h - 1 - h / 16}};
        String[] names = {"top-left", "top-right", "bottom-left", "bottom-right"};
        String found = "none";
        for (int c = 0; c < 4; c++) {
            int x = corners[c][0];
            int y = corners[c][1];
            if (img.get(x, y, 0) > 150 && img.get(x, y, 1) < 80) {
                found = found.equals("none") ? names[c] : found + "+" + names[c];
            }
        }
        return found;
    }

    private static void recordWithMarker(Path out, Spec spec, double displayRotation) throws Exception {
        try (var rec = new org.bytedeco.javacv.FFmpegFrameRecorder(out.toFile(), spec.width(), spec.height(), 0)) {
            rec.setFormat(spec.format());
            rec.setVideoCodecName(spec.codecName());
            rec.setPixelFormat(spec.pixelFormat());
            rec.setFrameRate(spec.fps());
            rec.setGopSize(spec.gop());
            rec.setVideoQuality(2);
            rec.setDisplayRotation(displayRotation);
            rec.start();
            for (int i = 0; i < spec.frames(); i++) {
                try (var f = TestVideos.rgbFrame(markerFrame(i, spec.width(), spec.height()), spec.width(), spec.height())) {
                    rec.record(f, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24);
                }
            }
            rec.stop();
        }
    }

    /** All frames as the ffmpeg CLI shows them (autorotate on, bicubic swscale, as our decoder). */
    private static List<RgbImage> cliFrames(Path video, int w, int h) throws Exception {
        List<String> cmd = List.of(TestVideos.ffmpegCli(), "-hide_banner", "-loglevel", "error", "-i", video.toString(),
                "-sws_flags", "bicubic", "-f", "rawvideo", "-pix_fmt", "rgb24", "-");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] all = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        int size = w * h * 3;
        List<RgbImage> frames = new ArrayList<>();
        for (int off = 0; off + size <= all.length; off += size) {
            frames.add(new RgbImage(w, h, java.util.Arrays.copyOfRange(all, off, off + size)));
        }
        return frames;
    }
}
