package dev.gpt4video.safety.video;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.Arrays;

/**
 * Turns per-frame scores of one category into a video score. The video score is the
 * {@code k}-th highest frame score, {@code k = ceil(minFraction * frames)}, unless the highest
 * frame score reaches {@code maxOverride}, in which case it is that maximum. With the policy's
 * threshold {@code t} this reads: <em>a category fires iff at least k sampled frames score above
 * t, or any single frame reaches maxOverride</em>. The defaults (10 frames, fraction 0.5) mirror
 * GPT4Video's "unsafe iff at least 5 of 10 frames are flagged"; the override catches a short
 * explicit insert the majority rule would miss.
 *
 * @param sampleFrames frames sampled per video (reference: 10)
 * @param minFraction  fraction of sampled frames that must score above the threshold
 * @param maxOverride  a single frame at or above this score decides alone (use 1.01 to disable)
 */
public record FrameAggregation(@JsonProperty("sample_frames") int sampleFrames,
                               @JsonProperty("min_fraction") double minFraction,
                               @JsonProperty("max_override") double maxOverride) {
    public FrameAggregation {
        if (sampleFrames < 1) {
            throw invalid("sample_frames", "must be >= 1, got " + sampleFrames);
        }
        if (!(minFraction > 0 && minFraction <= 1)) {
            throw invalid("min_fraction", "must be in (0,1], got " + minFraction);
        }
        if (!(maxOverride > 0)) {
            throw invalid("max_override", "must be > 0, got " + maxOverride);
        }
    }

    public static FrameAggregation defaults() {
        return new FrameAggregation(10, 0.5, 0.95);
    }

    /** How many frames of {@code n} must score above the threshold. */
    public int requiredFrames(int n) {
        return Math.max(1, (int) Math.ceil(minFraction * n - 1e-9));
    }

    public double videoScore(double[] frameScores) {
        if (frameScores.length == 0) {
            return 0;
        }
        double[] sorted = frameScores.clone();
        Arrays.sort(sorted);
        double max = sorted[sorted.length - 1];
        if (max >= maxOverride) {
            return max;
        }
        return sorted[sorted.length - requiredFrames(sorted.length)];
    }

    private static Gpt4VideoException invalid(String field, String message) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "frame aggregation " + field + ": " + message);
    }
}
