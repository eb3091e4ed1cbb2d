package dev.gpt4video.abstractor.decode;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link VideoDecoder} accepts. Every check happens before the expensive work it guards: file size
 * before opening, width/height from the container header before any frame is decoded (and as FFmpeg's
 * {@code max_pixels} for every decoder), duration and frame count before sampling.
 *
 * @param maxFileBytes      largest accepted file (or spooled upload), bytes
 * @param maxDuration       longest accepted video
 * @param maxDimension      largest accepted width or height, pixels
 * @param maxPixels         largest accepted width x height of one frame
 * @param maxFrames         largest accepted number of video frames (counted from the container's packets)
 * @param maxSampledFrames  largest number of frames one call may ask for
 * @param decodeTimeout     deadline for one probe/sample call; past it the work is aborted
 */
public record DecodeLimits(long maxFileBytes, Duration maxDuration, int maxDimension, long maxPixels, int maxFrames,
                           int maxSampledFrames, Duration decodeTimeout) {

    public DecodeLimits {
        Objects.requireNonNull(maxDuration, "maxDuration");
        Objects.requireNonNull(decodeTimeout, "decodeTimeout");
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("maxFileBytes must be >= 1, got " + maxFileBytes);
        }
        if (maxDuration.isNegative() || maxDuration.isZero()) {
            throw new IllegalArgumentException("maxDuration must be positive, got " + maxDuration);
        }
        if (maxDimension < 1) {
            throw new IllegalArgumentException("maxDimension must be >= 1, got " + maxDimension);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
        }
        if (maxFrames < 1) {
            throw new IllegalArgumentException("maxFrames must be >= 1, got " + maxFrames);
        }
        if (maxSampledFrames < 1) {
            throw new IllegalArgumentException("maxSampledFrames must be >= 1, got " + maxSampledFrames);
        }
        if (decodeTimeout.isNegative() || decodeTimeout.isZero()) {
            throw new IllegalArgumentException("decodeTimeout must be positive, got " + decodeTimeout);
        }
    }

    /**
     * Defaults for a chat server: 512 MiB, 30 minutes, 8192 px per side, 3840x2160 pixels per frame,
     * 108,000 frames (30 min at 60 fps), 64 sampled frames, 30 s per call.
     */
    public static DecodeLimits defaults() {
        return new DecodeLimits(512L << 20, Duration.ofMinutes(30), 8192, 3840L * 2160, 108_000, 64,
                Duration.ofSeconds(30));
    }

    public DecodeLimits withMaxFileBytes(long v) {
        return new DecodeLimits(v, maxDuration, maxDimension, maxPixels, maxFrames, maxSampledFrames, decodeTimeout);
    }

    public DecodeLimits withMaxDuration(Duration v) {
        return new DecodeLimits(maxFileBytes, v, maxDimension, maxPixels, maxFrames, maxSampledFrames, decodeTimeout);
    }

    public DecodeLimits withMaxDimension(int v) {
        return new DecodeLimits(maxFileBytes, maxDuration, v, maxPixels, maxFrames, maxSampledFrames, decodeTimeout);
    }

    public DecodeLimits withMaxPixels(long v) {
        return new DecodeLimits(maxFileBytes, maxDuration, maxDimension, v, maxFrames, maxSampledFrames, decodeTimeout);
    }

    public DecodeLimits withMaxFrames(int v) {
        return new DecodeLimits(maxFileBytes, maxDuration, maxDimension, maxPixels, v, maxSampledFrames, decodeTimeout);
    }

    public DecodeLimits withMaxSampledFrames(int v) {
        return new DecodeLimits(maxFileBytes, maxDuration, maxDimension, maxPixels, maxFrames, v, decodeTimeout);
    }

    public DecodeLimits withDecodeTimeout(Duration v) {
        return new DecodeLimits(maxFileBytes, maxDuration, maxDimension, maxPixels, maxFrames, maxSampledFrames, v);
    }
}
