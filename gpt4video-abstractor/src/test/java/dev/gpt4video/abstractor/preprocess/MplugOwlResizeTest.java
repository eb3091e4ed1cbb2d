package dev.gpt4video.abstractor.preprocess;

import dev.gpt4video.abstractor.decode.DecodedFrames;
import dev.gpt4video.abstractor.decode.RgbImage;
import dev.gpt4video.abstractor.decode.VideoDecoder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mPLUG-Owl video path resizes with FFmpeg's {@code scale} filter (decord). The reference here is
 * the ffmpeg CLI's own {@code scale=W:H:flags=bicubic} (Debian FFmpeg 5.1, a different build of the
 * same libswscale): within 2 levels, mean under 0.5.
 */
class MplugOwlResizeTest {
    @TempDir
    Path dir;

    private static String cli() {
        Path p = Path.of("/usr/bin/ffmpeg");
        Assumptions.assumeTrue(Files.isExecutable(p), "ffmpeg CLI not found (apt-get install -y ffmpeg); skipping");
        return p.toString();
    }

    private static byte[] run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(cli(), "-hide_banner", "-loglevel", "error", "-y"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
        return out;
    }

    /** A smooth picture with some edges: bicubic and bilinear give clearly different results on it. */
    private static RgbImage picture(int w, int h) {
        byte[] px = new byte[w * h * 3];
        Random rnd = new Random(11);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                boolean block = ((x / 9) + (y / 7)) % 2 == 0;
                px[o] = (byte) (x * 255 / w);
                px[o + 1] = (byte) (block ? 220 : 30);
                px[o + 2] = (byte) (y * 255 / h + rnd.nextInt(9));
            }
        }
        return new RgbImage(w, h, px);
    }

    /**
     * Even widths: there the two builds agree bit for bit. (At odd RGB widths such as 97 the CLI's last
     * output column is off by up to 77 levels because its input rows are padded with whatever follows;
     * {@link SwscaleResize} pads with the edge pixel instead.)
     */
    @Test
    void swscaleResizeMatchesFfmpegScaleFilter() throws Exception {
        int w = 100;
        int h = 61;
        RgbImage in = picture(w, h);
        Path raw = Files.write(dir.resolve("in.rgb"), in.pixels());
        for (int[] out : new int[][] {{224, 224}, {32, 32}, {50, 20}}) {
            byte[] ref = run("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", w + "x" + h, "-i", raw.toString(),
                    "-vf", "scale=" + out[0] + ":" + out[1] + ":flags=bicubic", "-f", "rawvideo", "-pix_fmt", "rgb24", "-");
            RgbImage got = SwscaleResize.resize(in, out[0], out[1], VideoDecoder.Scaler.BICUBIC.swsFlags());
            assertClose(got, new RgbImage(out[0], out[1], ref), out[0] + "x" + out[1]);
        }
    }

    /** The decoder's in-decode resize is decord's single swscale step from the decoded YUV frame. */
    @Test
    void decoderResizeMatchesFfmpegScaleOfTheDecodedVideo() throws Exception {
        int w = 96;
        int h = 64;
        int frames = 12;
        Path raw = dir.resolve("v.rgb");
        try (var os = Files.newOutputStream(raw)) {
            for (int i = 0; i < frames; i++) {
                os.write(picture(w, h).pixels());
            }
        }
        Path video = dir.resolve("v.mp4");
        run("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", w + "x" + h, "-r", "25", "-i", raw.toString(), "-c:v", "libx264",
                "-pix_fmt", "yuv420p", "-crf", "12", video.toString());
        byte[] ref = run("-i", video.toString(), "-vf", "scale=224:224:flags=bicubic", "-f", "rawvideo",
                "-pix_fmt", "rgb24", "-");
        DecodedFrames got = new VideoDecoder().sample(video, 4, 224, 224);
        int size = 224 * 224 * 3;
        for (int i = 0; i < 4; i++) {
            int k = got.indices()[i];
            byte[] frame = java.util.Arrays.copyOfRange(ref, k * size, (k + 1) * size);
            assertClose(got.frame(i), new RgbImage(224, 224, frame), "frame " + k);
        }
    }

    private static void assertClose(RgbImage got, RgbImage ref, String what) {
        byte[] a = got.pixels();
        byte[] b = ref.pixels();
        assertThat(a.length).isEqualTo(b.length);
        int max = 0;
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            int d = Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
            max = Math.max(max, d);
            sum += d;
        }
        assertThat(max).as("%s max abs diff", what).isLessThanOrEqualTo(2);
        assertThat((double) sum / a.length).as("%s mean abs diff", what).isLessThan(0.5);
    }
}
