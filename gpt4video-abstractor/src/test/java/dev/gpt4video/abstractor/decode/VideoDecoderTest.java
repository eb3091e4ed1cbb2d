package dev.gpt4video.abstractor.decode;

import dev.gpt4video.abstractor.decode.TestVideos.Spec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV444P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Decodes videos the test writes itself, whose frames carry their own index, and checks that the
 * sampled frames are exactly the ones {@link FrameSampler} names and agree pixel for pixel with a
 * sequential decode by JavaCV's FFmpegFrameGrabber (no seeking).
 */
class VideoDecoderTest {
    @TempDir
    static Path dir;

    private static final VideoDecoder DECODER = new VideoDecoder();

    /**
     * Codecs and containers the JavaCV FFmpeg build can encode. FFmpegFrameRecorder rounds odd widths up
     * to even, so odd sizes come from the CLI below.
     */
    static Stream<Arguments> recorderVideos() {
        return Stream.of(
                Arguments.of("mp4-mpeg4", new Spec("mp4", "mpeg4", AV_PIX_FMT_YUV420P, 64, 48, 100, 25, 12)),
                Arguments.of("mkv-ffv1", new Spec("matroska", "ffv1", AV_PIX_FMT_YUV444P, 34, 18, 37, 30, 10)),
                Arguments.of("avi-mjpeg", new Spec("avi", "mjpeg", AV_PIX_FMT_YUVJ420P, 36, 22, 50, 24, 0)),
                Arguments.of("mov-png", new Spec("mov", "png", AV_PIX_FMT_RGB24, 22, 14, 23, 10, 0)),
                Arguments.of("gif", new Spec("gif", "gif", AV_PIX_FMT_RGB8, 32, 24, 19, 10, 0)),
                Arguments.of("webm-vp8", new Spec("webm", "libvpx", AV_PIX_FMT_YUV420P, 64, 36, 60, 30, 15)),
                Arguments.of("webm-vp9", new Spec("webm", "libvpx-vp9", AV_PIX_FMT_YUV420P, 48, 32, 40, 30, 10)),
                Arguments.of("mkv-mpeg4-long-gop", new Spec("matroska", "mpeg4", AV_PIX_FMT_YUV420P, 64, 48, 200, 25, 250)),
                Arguments.of("mkv-ffv1-3-frames-repeats", new Spec("matroska", "ffv1", AV_PIX_FMT_YUV444P, 40, 30, 3, 25, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recorderVideos")
    void recorderVideosSampleTheFormulaFrames(String name, Spec spec) throws Exception {
        assumeTrue(TestVideos.hasEncoder(spec.codecName()), "encoder " + spec.codecName() + " not in this FFmpeg build");
        Path video = TestVideos.record(dir.resolve(name + "." + extension(spec.format())), spec);
        checkSampling(name, video, spec.width(), spec.height(), spec.frames(), spec.fps());
    }

    /** Odd sizes and H.264 (with B-frames, so decode order differs from presentation order), by the ffmpeg CLI. */
    static Stream<Arguments> cliVideos() {
        return Stream.of(
                Arguments.of("mkv-ffv1-33x17", 33, 17, 45, "mkv", List.of("-c:v", "ffv1", "-pix_fmt", "yuv444p", "-g", "9")),
                Arguments.of("avi-mjpeg-35x21", 35, 21, 30, "avi", List.of("-c:v", "mjpeg", "-q:v", "2", "-pix_fmt", "yuvj444p")),
                Arguments.of("mov-png-21x13", 21, 13, 17, "mov", List.of("-c:v", "png")),
                Arguments.of("gif-31x23", 31, 23, 19, "gif", List.of()),
                Arguments.of("mp4-h264-bframes", 64, 48, 120, "mp4", List.of("-c:v", "libx264", "-pix_fmt", "yuv420p",
                        "-crf", "10", "-bf", "3", "-g", "30")),
                Arguments.of("mkv-h264-444-33x17", 33, 17, 60, "mkv", List.of("-c:v", "libx264", "-pix_fmt", "yuv444p",
                        "-crf", "5", "-bf", "2", "-g", "25")),
                Arguments.of("ts-h264", 64, 48, 75, "ts", List.of("-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "10",
                        "-g", "20")),
                Arguments.of("mp4-h264-faststart", 80, 48, 50, "mp4", List.of("-c:v", "libx264", "-pix_fmt", "yuv420p",
                        "-crf", "10", "-movflags", "+faststart")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cliVideos")
    void cliVideosSampleTheFormulaFrames(String name, int w, int h, int frames, String ext, List<String> encode)
            throws Exception {
        Path video = TestVideos.cliCounterVideo(dir.resolve(name + "." + ext), w, h, frames, 25, encode);
        checkSampling(name, video, w, h, frames, 25);
    }

    private static void checkSampling(String name, Path video, int width, int height, int frames, double fps)
            throws Exception {
        VideoProbe probe = DECODER.probe(video);
        assertThat(probe.width()).isEqualTo(width);
        assertThat(probe.height()).isEqualTo(height);
        assertThat(probe.rotation()).isZero();

        List<RgbImage> all = TestVideos.grabAll(video);
        assertThat(all).hasSize(frames);
        int[] counters = all.stream().mapToInt(TestVideos::readCounter).toArray();
        for (int k = 0; k < frames; k++) {
            assertThat(counters[k]).as("%s: sequential frame %d carries its index (%s)", name, k,
                    java.util.Arrays.toString(counters)).isEqualTo(k & 0xFF);
        }
        for (int n : new int[] {1, 4, 8, 10}) {
            DecodedFrames got = DECODER.sample(video, n);
            int[] expected = FrameSampler.indices(frames, n);
            assertThat(got.totalFrames()).isEqualTo(frames);
            assertThat(got.indices()).containsExactly(expected);
            assertThat(got.width()).isEqualTo(width);
            assertThat(got.height()).isEqualTo(height);
            for (int i = 0; i < n; i++) {
                assertThat(TestVideos.readCounter(got.frame(i))).as("%s n=%d frame %d", name, n, i)
                        .isEqualTo(expected[i] & 0xFF);
                assertThat(maxAbsDiff(got.frame(i), all.get(expected[i]))).as("%s n=%d frame %d vs grabber", name, n, i)
                        .isLessThanOrEqualTo(1);
                assertThat(got.timestamps()[i]).as("%s timestamp", name)
                        .isCloseTo(expected[i] / fps, org.assertj.core.data.Offset.offset(0.06));
            }
        }
    }

    @BeforeAll
    static void warmUp() {
        assertThat(dir).isNotNull();
    }

    @Test
    void uploadsAsStreamOrBytesDecodeLikeTheFile() throws Exception {
        Path video = TestVideos.record(dir.resolve("upload.mkv"),
                new Spec("matroska", "mpeg4", AV_PIX_FMT_YUV420P, 64, 48, 30, 25, 5));
        DecodedFrames fromFile = DECODER.sample(video, 4);
        DecodedFrames fromBytes = DECODER.sample(Files.readAllBytes(video), 4);
        DecodedFrames fromStream;
        try (var in = Files.newInputStream(video)) {
            fromStream = DECODER.sample(in, 4);
        }
        for (int i = 0; i < 4; i++) {
            assertThat(fromBytes.frame(i).pixels()).isEqualTo(fromFile.frame(i).pixels());
            assertThat(fromStream.frame(i).pixels()).isEqualTo(fromFile.frame(i).pixels());
        }
        // A wrong extension does not matter: the container is recognised from its bytes.
        Path renamed = Files.copy(video, dir.resolve("actually-matroska.mp4"));
        assertThat(DECODER.sample(renamed, 4).indices()).containsExactly(fromFile.indices());
    }

    @Test
    void resizesInTheDecoderToTheRequestedSize() throws Exception {
        Path video = TestVideos.record(dir.resolve("resize.mp4"),
                new Spec("mp4", "mpeg4", AV_PIX_FMT_YUV420P, 160, 96, 20, 25, 5));
        DecodedFrames got = DECODER.sample(video, 4, 32, 32);
        assertThat(got.width()).isEqualTo(32);
        assertThat(got.height()).isEqualTo(32);
        int[] expected = FrameSampler.indices(20, 4);
        for (int i = 0; i < 4; i++) {
            assertThat(TestVideos.readCounter(got.frame(i))).isEqualTo(expected[i]);
        }
    }

    @Test
    void concurrentCallsAreIndependent() throws Exception {
        Path a = TestVideos.record(dir.resolve("conc-a.mp4"),
                new Spec("mp4", "mpeg4", AV_PIX_FMT_YUV420P, 64, 48, 90, 25, 10));
        Path b = TestVideos.record(dir.resolve("conc-b.mkv"),
                new Spec("matroska", "ffv1", AV_PIX_FMT_YUV444P, 33, 17, 41, 25, 7));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int k = 0; k < 16; k++) {
                Path v = k % 2 == 0 ? a : b;
                int total = k % 2 == 0 ? 90 : 41;
                int n = 1 + k % 8;
                results.add(pool.submit(() -> {
                    DecodedFrames got = DECODER.sample(v, n);
                    int[] expected = FrameSampler.indices(total, n);
                    for (int i = 0; i < n; i++) {
                        if (TestVideos.readCounter(got.frame(i)) != expected[i]) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static String extension(String format) {
        return switch (format) {
            case "matroska" -> "mkv";
            default -> format;
        };
    }

    static int maxAbsDiff(RgbImage a, RgbImage b) {
        assertThat(a.width()).isEqualTo(b.width());
        assertThat(a.height()).isEqualTo(b.height());
        int max = 0;
        byte[] x = a.pixels();
        byte[] y = b.pixels();
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs((x[i] & 0xFF) - (y[i] & 0xFF)));
        }
        return max;
    }
}
