package dev.gpt4video.abstractor.decode;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;

/**
 * Reads videos with FFmpeg and samples the frames the model sees, as upright RGB.
 *
 * <p>Each call opens its own demuxer and decoder, so one instance serves concurrent requests. Every
 * call runs under {@link DecodeLimits#decodeTimeout()}: a watchdog thread flags the call when the
 * deadline passes and FFmpeg's interrupt callback and the decode loop stop at once with
 * {@code video_decode_timeout}. All native memory of a call is freed before it returns or throws.
 *
 * <pre>{@code
 * VideoDecoder decoder = new VideoDecoder(DecodeLimits.defaults());
 * DecodedFrames frames = decoder.sample(path, 4, 224, 224); // the mPLUG-Owl video path
 * }</pre>
 *
 * <p>Failures are {@link Gpt4VideoException}s: {@code unsupported_media_type} (not an accepted video
 * container), {@code video_no_stream}, {@code video_decode_failed} (empty, truncated, corrupt, no frames),
 * {@code video_too_large} (bytes or frame size), {@code video_too_long} (duration or frame count),
 * {@code video_decode_timeout}, {@code cancelled} (the calling thread was interrupted) and
 * {@code invalid_request} (bad arguments).
 */
public final class VideoDecoder {

    /** The swscale filter used when frames are resized during decoding. */
    public enum Scaler {
        /** FFmpeg's default for its {@code scale} filter since FFmpeg 5 (and the swscale default). */
        BICUBIC(SWS_BICUBIC),
        /** The {@code scale} filter default of FFmpeg 4.x and earlier. */
        BILINEAR(SWS_BILINEAR);

        private final int swsFlags;

        Scaler(int swsFlags) {
            this.swsFlags = swsFlags;
        }

        /** The libswscale flag ({@code SWS_BICUBIC} / {@code SWS_BILINEAR}). */
        public int swsFlags() {
            return swsFlags;
        }
    }

    private static final ScheduledThreadPoolExecutor WATCHDOG = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "gpt4video-decode-watchdog");
        t.setDaemon(true);
        return t;
    });

    static {
        WATCHDOG.setRemoveOnCancelPolicy(true);
    }

    private final DecodeLimits limits;
    private final Scaler scaler;
    private final int decoderThreads;

    public VideoDecoder() {
        this(DecodeLimits.defaults());
    }

    public VideoDecoder(DecodeLimits limits) {
        this(limits, Scaler.BICUBIC, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    private VideoDecoder(DecodeLimits limits, Scaler scaler, int decoderThreads) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.scaler = Objects.requireNonNull(scaler, "scaler");
        if (decoderThreads < 0) {
            throw new IllegalArgumentException("decoderThreads must be >= 0 (0 = FFmpeg's choice), got " + decoderThreads);
        }
        this.decoderThreads = decoderThreads;
    }

    public DecodeLimits limits() {
        return limits;
    }

    /** The same decoder with another resize filter (default {@link Scaler#BICUBIC}). */
    public VideoDecoder withScaler(Scaler s) {
        return new VideoDecoder(limits, s, decoderThreads);
    }

    /** The same decoder with another FFmpeg decoder thread count per call (0 = FFmpeg's choice). */
    public VideoDecoder withDecoderThreads(int threads) {
        return new VideoDecoder(limits, scaler, threads);
    }

    /** What the container says about its video stream; decodes no frames. */
    public VideoProbe probe(Path video) {
        Objects.requireNonNull(video, "video");
        return underDeadline(session -> {
            try (MediaFile file = new MediaFile(video, limits, session, scaler.swsFlags(), decoderThreads)) {
                return file.open();
            }
        });
    }

    /** {@link #probe(Path)} of an upload, spooled to a temporary file first. */
    public VideoProbe probe(InputStream video) {
        return spooled(video, this::probe);
    }

    /**
     * The {@code numFrames} frames {@link FrameSampler#indices(int, int)} picks, upright, at their own
     * (upright) size.
     */
    public DecodedFrames sample(Path video, int numFrames) {
        return sample(video, numFrames, 0, 0);
    }

    /**
     * The {@code numFrames} frames {@link FrameSampler#indices(int, int)} picks, upright and resized to
     * exactly {@code width x height} (aspect ratio not kept, nothing cropped) by swscale in the same step
     * that converts them to RGB, as decord's {@code VideoReader(path, width=, height=)} does. Width and
     * height 0 keep the video's own size.
     */
    public DecodedFrames sample(Path video, int numFrames, int width, int height) {
        Objects.requireNonNull(video, "video");
        if (numFrames < 1 || numFrames > limits.maxSampledFrames()) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                    "numFrames must be between 1 and " + limits.maxSampledFrames() + ", got " + numFrames);
        }
        if ((width == 0) != (height == 0) || width < 0 || height < 0 || width > limits.maxDimension()
                || height > limits.maxDimension()) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "output size must be both 0 (keep) or both in 1.."
                    + limits.maxDimension() + ", got " + width + "x" + height);
        }
        return underDeadline(session -> {
            try (MediaFile file = new MediaFile(video, limits, session, scaler.swsFlags(), decoderThreads)) {
                VideoProbe probe = file.open();
                int total = file.scanFrames();
                int[] indices = FrameSampler.indices(total, numFrames);
                file.openDecoder();
                int outW = width > 0 ? width : probe.displayWidth();
                int outH = height > 0 ? height : probe.displayHeight();
                List<RgbImage> frames = new ArrayList<>(numFrames);
                double[] times = new double[numFrames];
                RgbImage previous = null;
                for (int i = 0; i < numFrames; i++) {
                    long pts = file.framePts(indices[i]);
                    // Indices ascend; a repeat (N < n, or two indices with one timestamp) reuses the frame.
                    RgbImage img = i > 0 && pts == file.framePts(indices[i - 1]) ? previous
                            : file.decodeAt(pts, outW, outH);
                    frames.add(img);
                    times[i] = file.seconds(pts);
                    previous = img;
                }
                return new DecodedFrames(probe, total, indices, times, frames);
            }
        });
    }

    /** {@link #sample(Path, int)} of an upload, spooled to a temporary file first. */
    public DecodedFrames sample(InputStream video, int numFrames) {
        return spooled(video, p -> sample(p, numFrames, 0, 0));
    }

    /** {@link #sample(Path, int, int, int)} of an upload, spooled to a temporary file first. */
    public DecodedFrames sample(InputStream video, int numFrames, int width, int height) {
        return spooled(video, p -> sample(p, numFrames, width, height));
    }

    /** {@link #sample(Path, int)} of bytes in memory (written to a temporary file: FFmpeg needs to seek). */
    public DecodedFrames sample(byte[] video, int numFrames) {
        return sample(new ByteArrayInputStream(video), numFrames);
    }

    /** {@link #sample(Path, int, int, int)} of bytes in memory. */
    public DecodedFrames sample(byte[] video, int numFrames, int width, int height) {
        return sample(new ByteArrayInputStream(video), numFrames, width, height);
    }

    private <T> T underDeadline(Function<DecodeSession, T> work) {
        DecodeSession session = new DecodeSession(limits.decodeTimeout());
        ScheduledFuture<?> alarm = WATCHDOG.schedule(session::expire, limits.decodeTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
        try {
            return work.apply(session);
        } finally {
            alarm.cancel(false);
        }
    }

    /**
     * Copies an upload to a temporary file (FFmpeg needs to seek), stopping as soon as it passes
     * {@link DecodeLimits#maxFileBytes()}; the file is deleted when the call returns.
     */
    private <T> T spooled(InputStream in, Function<Path, T> work) {
        Objects.requireNonNull(in, "video");
        Path tmp = null;
        try {
            tmp = Files.createTempFile("gpt4video-upload-", ".bin");
            long written = 0;
            byte[] buf = new byte[1 << 16];
            try (OutputStream out = Files.newOutputStream(tmp)) {
                int r;
                while ((r = in.read(buf)) >= 0) {
                    written += r;
                    if (written > limits.maxFileBytes()) {
                        throw new Gpt4VideoException(ErrorCode.VIDEO_TOO_LARGE,
                                "the video is larger than the " + limits.maxFileBytes() + "-byte limit");
                    }
                    out.write(buf, 0, r);
                }
            }
            return work.apply(tmp);
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_FAILED, "cannot read the uploaded video: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // A leftover temp file is harmless; the OS cleans the temp directory.
                }
            }
        }
    }
}
