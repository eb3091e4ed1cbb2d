package dev.gpt4video.abstractor.decode;

import dev.gpt4video.abstractor.decode.TestVideos.Spec;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

/**
 * Inputs that are not (whole) videos, or break a limit, each give their documented error code, free
 * everything they opened and return promptly.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MalformedVideoTest {
    @TempDir
    Path dir;

    private final VideoDecoder decoder = new VideoDecoder();

    private record Case(String name, Path file, ErrorCode expected) {
    }

    @TestFactory
    List<DynamicTest> eachMalformedInputHasItsCode() throws Exception {
        List<Case> cases = malformedCases();
        assertThat(cases.size()).isGreaterThanOrEqualTo(30);
        // Warm up (loads the natives, starts the watchdog thread) before taking the thread baseline.
        decoder.probe(goodMp4("warmup.mp4", false));
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();

        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases) {
            tests.add(DynamicTest.dynamicTest(c.name() + " -> " + c.expected().code(), () -> {
                Throwable sampled = catchThrowable(() -> decoder.sample(c.file(), 4));
                assertThat(sampled).as(c.name()).isInstanceOf(Gpt4VideoException.class);
                assertThat(((Gpt4VideoException) sampled).code()).as(c.name() + ": " + sampled.getMessage())
                        .isEqualTo(c.expected());
                assertThat(sampled.getMessage()).isNotBlank();
                Throwable fromBytes = catchThrowable(() -> decoder.sample(Files.readAllBytes(c.file()), 4));
                assertThat(((Gpt4VideoException) fromBytes).code()).isEqualTo(c.expected());
            }));
        }
        tests.add(DynamicTest.dynamicTest("nothing left open", () -> {
            assertThat(MediaFile.openSessions()).isZero();
            assertThat(ManagementFactory.getThreadMXBean().getThreadCount()).isLessThanOrEqualTo(threadsBefore);
        }));
        return tests;
    }

    private List<Case> malformedCases() throws Exception {
        List<Case> cases = new ArrayList<>();
        Random rnd = new Random(7);

        cases.add(new Case("empty file", write("empty.mp4", new byte[0]), ErrorCode.VIDEO_DECODE_FAILED));
        cases.add(new Case("random 1 KiB", write("random1k.mp4", randomBytes(rnd, 1024)),
                ErrorCode.UNSUPPORTED_MEDIA_TYPE));
        cases.add(new Case("random 3 MiB", write("random3m.mkv", randomBytes(rnd, 3 << 20)),
                ErrorCode.UNSUPPORTED_MEDIA_TYPE));
        cases.add(new Case("text named .mp4", write("notes.mp4",
                "This is not a video.\nJust some text.\n".repeat(50).getBytes(StandardCharsets.UTF_8)),
                ErrorCode.UNSUPPORTED_MEDIA_TYPE));
        cases.add(new Case("HLS playlist (would open other files)", write("list.mp4",
                "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
                        .getBytes(StandardCharsets.UTF_8)), ErrorCode.UNSUPPORTED_MEDIA_TYPE));
        cases.add(new Case("ffconcat script", write("concat.mp4",
                "ffconcat version 1.0\nfile '/etc/passwd'\n".getBytes(StandardCharsets.UTF_8)),
                ErrorCode.UNSUPPORTED_MEDIA_TYPE));
        cases.add(new Case("HTML page", write("page.webm",
                "<!DOCTYPE html><html><body><video src=x></video></body></html>\n".getBytes(StandardCharsets.UTF_8)),
                ErrorCode.UNSUPPORTED_MEDIA_TYPE));
        cases.add(new Case("PNG image", write("image.mp4", image("png")), ErrorCode.UNSUPPORTED_MEDIA_TYPE));
        cases.add(new Case("JPEG image", write("image.mkv", image("jpg")), ErrorCode.UNSUPPORTED_MEDIA_TYPE));
        cases.add(new Case("BMP image", write("image.avi", image("bmp")), ErrorCode.UNSUPPORTED_MEDIA_TYPE));
        cases.add(new Case("WAV audio", audioOnly("sound.wav", "wav", "pcm_s16le"), ErrorCode.UNSUPPORTED_MEDIA_TYPE));
        cases.add(new Case("audio-only MP4", audioOnly("sound.mp4", "mp4", "aac"), ErrorCode.VIDEO_NO_STREAM));
        cases.add(new Case("audio-only Matroska", audioOnly("sound.mkv", "matroska", "aac"), ErrorCode.VIDEO_NO_STREAM));
        // FFmpeg's MP4 demuxer drops a track without samples: the file has no streams at all.
        cases.add(new Case("zero-frame MP4", zeroFrames("zero.mp4", "mp4"), ErrorCode.VIDEO_DECODE_FAILED));
        cases.add(new Case("zero-frame Matroska", zeroFrames("zero.mkv", "matroska"), ErrorCode.VIDEO_DECODE_FAILED));
        cases.add(new Case("GIF header declaring 16000x16000", write("bomb.gif", gifHeader(16000, 16000)),
                ErrorCode.VIDEO_TOO_LARGE));
        cases.add(new Case("GIF header declaring 65535x65535", write("bomb2.gif", gifHeader(65535, 65535)),
                ErrorCode.VIDEO_TOO_LARGE));

        // MP4 as FFmpegFrameRecorder writes it: index (moov) at the end, so any cut loses it.
        byte[] mp4 = Files.readAllBytes(goodMp4("good.mp4", false));
        for (double f : new double[] {0.01, 0.1, 0.25, 0.5, 0.75, 0.9}) {
            cases.add(new Case("MP4 (index at end) cut at " + (int) (f * 100) + "%",
                    write("cut-end-" + f + ".mp4", Arrays.copyOf(mp4, (int) (mp4.length * f))),
                    ErrorCode.VIDEO_DECODE_FAILED));
        }
        int moov = indexOf(mp4, "moov".getBytes(StandardCharsets.US_ASCII)) - 4;
        assertThat(moov).isPositive();
        cases.add(new Case("MP4 cut inside its index", write("cut-moov.mp4",
                Arrays.copyOf(mp4, moov + (mp4.length - moov) / 2)), ErrorCode.VIDEO_DECODE_FAILED));
        cases.add(new Case("MP4 cut just after its index header", write("cut-moov16.mp4",
                Arrays.copyOf(mp4, moov + 16)), ErrorCode.VIDEO_DECODE_FAILED));
        cases.add(new Case("MP4 with only its ftyp box", write("ftyp.mp4", Arrays.copyOf(mp4, 32)),
                ErrorCode.VIDEO_DECODE_FAILED));

        // Fast-start MP4: the index comes first and promises frames the cut file no longer holds.
        byte[] fast = Files.readAllBytes(goodMp4("fast.mp4", true));
        for (double f : new double[] {0.3, 0.5, 0.7, 0.9, 0.97}) {
            cases.add(new Case("fast-start MP4 cut at " + (int) (f * 100) + "%",
                    write("cut-fast-" + f + ".mp4", Arrays.copyOf(fast, (int) (fast.length * f))),
                    ErrorCode.VIDEO_DECODE_FAILED));
        }
        // Matroska and AVI headers state the duration / frame count; a cut file covers less.
        byte[] mkv = Files.readAllBytes(TestVideos.record(dir.resolve("good.mkv"),
                new Spec("matroska", "mpeg4", AV_PIX_FMT_YUV420P, 64, 48, 100, 25, 10)));
        for (double f : new double[] {0.3, 0.5, 0.8}) {
            cases.add(new Case("Matroska cut at " + (int) (f * 100) + "%",
                    write("cut-" + f + ".mkv", Arrays.copyOf(mkv, (int) (mkv.length * f))),
                    ErrorCode.VIDEO_DECODE_FAILED));
        }
        byte[] avi = Files.readAllBytes(TestVideos.record(dir.resolve("good.avi"),
                new Spec("avi", "mpeg4", AV_PIX_FMT_YUV420P, 64, 48, 100, 25, 10)));
        for (double f : new double[] {0.4, 0.8}) {
            cases.add(new Case("AVI cut at " + (int) (f * 100) + "%",
                    write("cut-" + f + ".avi", Arrays.copyOf(avi, (int) (avi.length * f))),
                    ErrorCode.VIDEO_DECODE_FAILED));
        }
        return cases;
    }

    @Test
    void limitsAreEnforcedWithTheirCodes() throws Exception {
        Path video = goodMp4("limits.mp4", false); // 64x48, 100 frames at 25 fps = 4 s
        long size = Files.size(video);
        Map<String, Supplier<Object>> calls = new LinkedHashMap<>();
        Map<String, ErrorCode> expected = new LinkedHashMap<>();
        DecodeLimits d = DecodeLimits.defaults();

        calls.put("file bytes", () -> new VideoDecoder(d.withMaxFileBytes(size - 1)).sample(video, 4));
        expected.put("file bytes", ErrorCode.VIDEO_TOO_LARGE);
        calls.put("spooled upload bytes", () -> new VideoDecoder(d.withMaxFileBytes(size - 1))
                .sample(new ByteArrayInputStream(readAll(video)), 4));
        expected.put("spooled upload bytes", ErrorCode.VIDEO_TOO_LARGE);
        calls.put("pixels per frame", () -> new VideoDecoder(d.withMaxPixels(64 * 48 - 1)).sample(video, 4));
        expected.put("pixels per frame", ErrorCode.VIDEO_TOO_LARGE);
        calls.put("side length", () -> new VideoDecoder(d.withMaxDimension(63)).probe(video));
        expected.put("side length", ErrorCode.VIDEO_TOO_LARGE);
        calls.put("duration", () -> new VideoDecoder(d.withMaxDuration(Duration.ofSeconds(3))).probe(video));
        expected.put("duration", ErrorCode.VIDEO_TOO_LONG);
        calls.put("frame count", () -> new VideoDecoder(d.withMaxFrames(99)).sample(video, 4));
        expected.put("frame count", ErrorCode.VIDEO_TOO_LONG);
        calls.put("zero frames asked", () -> decoder.sample(video, 0));
        expected.put("zero frames asked", ErrorCode.INVALID_REQUEST);
        calls.put("too many frames asked", () -> decoder.sample(video, d.maxSampledFrames() + 1));
        expected.put("too many frames asked", ErrorCode.INVALID_REQUEST);
        calls.put("odd output size", () -> decoder.sample(video, 4, 224, 0));
        expected.put("odd output size", ErrorCode.INVALID_REQUEST);
        calls.put("missing file", () -> decoder.sample(dir.resolve("nope.mp4"), 4));
        expected.put("missing file", ErrorCode.VIDEO_DECODE_FAILED);
        calls.put("a directory", () -> decoder.sample(dir, 4));
        expected.put("a directory", ErrorCode.VIDEO_DECODE_FAILED);

        for (var e : calls.entrySet()) {
            Throwable t = catchThrowable(() -> e.getValue().get());
            assertThat(t).as(e.getKey()).isInstanceOf(Gpt4VideoException.class);
            assertThat(((Gpt4VideoException) t).code()).as(e.getKey() + ": " + t.getMessage())
                    .isEqualTo(expected.get(e.getKey()));
        }
        // Just inside every limit it works.
        DecodeLimits exact = d.withMaxFileBytes(size).withMaxPixels(64 * 48).withMaxDimension(64)
                .withMaxDuration(Duration.ofSeconds(5)).withMaxFrames(100);
        assertThat(new VideoDecoder(exact).sample(video, 4).size()).isEqualTo(4);
        assertThat(MediaFile.openSessions()).isZero();
    }

    @Test
    void aDecodePastItsDeadlineIsAbortedWithTimeout() throws Exception {
        // 400 frames with one keyframe: each sampled frame means decoding from the start.
        Path video = TestVideos.record(dir.resolve("slow.mkv"),
                new Spec("matroska", "mpeg4", AV_PIX_FMT_YUV420P, 320, 240, 400, 25, 1000));
        VideoDecoder hurried = new VideoDecoder(DecodeLimits.defaults().withDecodeTimeout(Duration.ofMillis(1)));
        for (int i = 0; i < 5; i++) {
            Throwable t = catchThrowable(() -> hurried.sample(video, 16));
            assertThat(t).isInstanceOf(Gpt4VideoException.class);
            assertThat(((Gpt4VideoException) t).code()).isEqualTo(ErrorCode.VIDEO_DECODE_TIMEOUT);
        }
        assertThat(MediaFile.openSessions()).isZero();
        // The same file decodes fine with time to do it.
        assertThat(decoder.sample(video, 16).size()).isEqualTo(16);
    }

    @Test
    void anInterruptedCallerIsCancelled() throws Exception {
        Path video = goodMp4("interrupt.mp4", false);
        Thread.currentThread().interrupt();
        try {
            Throwable t = catchThrowable(() -> decoder.sample(video, 4));
            assertThat(((Gpt4VideoException) t).code()).isEqualTo(ErrorCode.CANCELLED);
        } finally {
            Thread.interrupted();
        }
        assertThat(MediaFile.openSessions()).isZero();
    }

    @Test
    void repeatedFailuresDoNotGrowNativeMemory() throws Exception {
        List<Case> cases = malformedCases();
        for (Case c : cases) {
            catchThrowable(() -> decoder.sample(c.file(), 4));
        }
        System.gc();
        long before = Pointer.physicalBytes();
        for (int round = 0; round < 5; round++) {
            for (Case c : cases) {
                catchThrowable(() -> decoder.sample(c.file(), 4));
            }
        }
        System.gc();
        long grown = Pointer.physicalBytes() - before;
        // Resident memory after 5 more rounds: a leak of even one frame or context per call would show
        // as tens of MB; allocator noise stays well under that.
        assertThat(grown).as("RSS growth over %d failing calls", 5 * cases.size()).isLessThan(48L << 20);
        assertThat(MediaFile.openSessions()).isZero();
    }

    private Path goodMp4(String name, boolean fastStart) throws Exception {
        Path out = dir.resolve(name);
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(out.toFile(), 64, 48, 0)) {
            rec.setFormat("mp4");
            rec.setVideoCodecName("mpeg4");
            rec.setPixelFormat(AV_PIX_FMT_YUV420P);
            rec.setFrameRate(25);
            rec.setGopSize(10);
            rec.setVideoQuality(2);
            if (fastStart) {
                rec.setOption("movflags", "+faststart");
            }
            rec.start();
            for (int i = 0; i < 100; i++) {
                try (Frame f = TestVideos.rgbFrame(TestVideos.counterFrame(i, 64, 48), 64, 48)) {
                    rec.record(f, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24);
                }
            }
            rec.stop();
        }
        return out;
    }

    private Path audioOnly(String name, String format, String codec) throws Exception {
        Path out = dir.resolve(name);
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(out.toFile(), 1)) {
            rec.setFormat(format);
            rec.setAudioCodecName(codec);
            rec.setSampleRate(16000);
            rec.start();
            short[] samples = new short[1600];
            for (int k = 0; k < 10; k++) {
                for (int i = 0; i < samples.length; i++) {
                    samples[i] = (short) (8000 * Math.sin((k * samples.length + i) * 0.05));
                }
                rec.recordSamples(16000, 1, ShortBuffer.wrap(samples));
            }
            rec.stop();
        }
        return out;
    }

    private Path zeroFrames(String name, String format) throws Exception {
        Path out = dir.resolve(name);
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(out.toFile(), 64, 48, 0)) {
            rec.setFormat(format);
            rec.setVideoCodecName("mpeg4");
            rec.setPixelFormat(AV_PIX_FMT_YUV420P);
            rec.setFrameRate(25);
            rec.start();
            rec.stop();
        }
        return out;
    }

    /**
     * A GIF whose logical screen claims {@code w x h} (the size FFmpeg's GIF decoder allocates its canvas
     * at) around a single 1x1 image: a decompression bomb in 30-odd bytes.
     */
    static byte[] gifHeader(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GIF89a".getBytes(StandardCharsets.US_ASCII));
        b.putShort((short) w).putShort((short) h);
        b.put((byte) 0x80).put((byte) 0).put((byte) 0); // global colour table of 2 entries
        b.put(new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        b.put((byte) 0x2C).putShort((short) 0).putShort((short) 0).putShort((short) 1).putShort((short) 1).put((byte) 0);
        b.put((byte) 2).put((byte) 2).put((byte) 0x4C).put((byte) 0x01).put((byte) 0); // LZW data for one pixel
        b.put((byte) 0x3B);
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] image(String format) throws Exception {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | 90);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).isTrue();
        return out.toByteArray();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
