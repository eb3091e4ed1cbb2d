package dev.gpt4video.abstractor.bench;

import dev.gpt4video.abstractor.decode.DecodedFrames;
import dev.gpt4video.abstractor.decode.VideoDecoder;
import dev.gpt4video.abstractor.decode.VideoProbe;
import dev.gpt4video.abstractor.preprocess.FramePreprocessor;
import dev.gpt4video.abstractor.preprocess.PixelValues;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

import java.nio.file.Path;
import java.util.Arrays;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;

/**
 * Frames sampled and preprocessed per second (T=4 and T=8 per video, the mPLUG-Owl path: decode with
 * seeking, swscale to 224x224, normalise to float32), next to a full sequential decode of the same file
 * (JavaCV's FFmpegFrameGrabber, every frame converted to 224x224 RGB), all in one run. Prints figures;
 * asserts nothing.
 *
 * <p>Usage: {@code DecodeBenchmark video.mp4 [rounds]}
 */
public final class DecodeBenchmark {
    private DecodeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path video = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        VideoDecoder decoder = new VideoDecoder();
        FramePreprocessor mplug = FramePreprocessor.mplugOwlVideo();
        VideoProbe probe = decoder.probe(video);
        System.out.printf("video: %s, %s %dx%d, %.1f s, %.2f fps, %d frames; %d cores%n", video.getFileName(),
                probe.codec(), probe.width(), probe.height(), probe.durationSeconds(), probe.fps(), probe.frameCount(),
                Runtime.getRuntime().availableProcessors());

        decoder.sample(video, 2, 224, 224); // warm up natives and JIT
        for (int t : new int[] {4, 8}) {
            double[] secs = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                DecodedFrames frames = decoder.sample(video, t, 224, 224);
                PixelValues pv = mplug.video(frames);
                secs[r] = (System.nanoTime() - t0) / 1e9;
                if (pv.data().length != 3 * t * 224 * 224) {
                    throw new IllegalStateException("unexpected tensor " + pv);
                }
            }
            double med = median(secs);
            System.out.printf("sample+preprocess T=%d (mPLUG-Owl, 224x224): %.0f ms per video, %.1f frames/s "
                    + "(median of %d; all: %s s)%n", t, med * 1000, t / med, rounds, fmt(secs));
        }

        // The HF CLIP image path on full-size frames: native-size decode, Pillow bicubic in Java, crop.
        FramePreprocessor clip = FramePreprocessor.hfClip();
        double[] secs = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            DecodedFrames frames = decoder.sample(video, 4);
            clip.images(frames.frames());
            secs[r] = (System.nanoTime() - t0) / 1e9;
        }
        System.out.printf("sample+preprocess T=4 (full-size frames, HF CLIP Pillow bicubic + crop): %.0f ms per video,"
                + " %.1f frames/s (median of %d)%n", median(secs) * 1000, 4 / median(secs), rounds);

        double[] seq = new double[Math.min(rounds, 2)];
        long count = 0;
        for (int r = 0; r < seq.length; r++) {
            long t0 = System.nanoTime();
            count = sequential(video);
            seq[r] = (System.nanoTime() - t0) / 1e9;
        }
        double seqMed = median(seq);
        System.out.printf("full sequential decode (FFmpegFrameGrabber, every frame to 224x224 RGB): %d frames in %.1f s,"
                + " %.1f frames/s%n", count, seqMed, count / seqMed);
        System.out.printf("sampling T=4 vs decoding the whole clip: %.1fx less wall time%n",
                seqMed / median(timeSample(decoder, mplug, video, 4, rounds)));
    }

    private static double[] timeSample(VideoDecoder d, FramePreprocessor p, Path video, int t, int rounds) {
        double[] s = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            p.video(d.sample(video, t, 224, 224));
            s[r] = (System.nanoTime() - t0) / 1e9;
        }
        return s;
    }

    private static long sequential(Path video) throws Exception {
        long n = 0;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile())) {
            g.setPixelFormat(AV_PIX_FMT_RGB24);
            g.setImageWidth(224);
            g.setImageHeight(224);
            g.setImageScalingFlags(SWS_BICUBIC);
            g.setVideoOption("threads", Integer.toString(Math.min(4, Runtime.getRuntime().availableProcessors())));
            g.start();
            Frame f;
            while ((f = g.grabImage()) != null) {
                if (f.image != null) {
                    n++;
                }
            }
            g.stop();
        }
        return n;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.length() == 0 ? "" : ", ").append(String.format("%.2f", d));
        }
        return sb.toString();
    }
}
