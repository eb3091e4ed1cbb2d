package dev.gpt4video.core.t2v;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

/** One generation; null fields take the backend's defaults. */
public record T2vRequest(String caption, String negativePrompt, Integer width, Integer height, Integer frames,
                         Integer steps, Double guidanceScale, Long seed, Integer fps) {
    public T2vRequest {
        if (caption == null || caption.isBlank()) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "caption: must not be empty");
        }
        caption = caption.strip();
    }

    public T2vRequest(String caption, Long seed) {
        this(caption, null, null, null, null, null, null, seed, null);
    }

    /** Resolves nulls against the backend's defaults and rejects values above its limits. */
    public T2vRequest resolve(BackendCapabilities c) {
        int w = width == null ? c.width() : width;
        int h = height == null ? c.height() : height;
        int f = frames == null ? c.frames() : frames;
        int s = steps == null ? c.steps() : steps;
        check("width", w, c.maxWidth());
        check("height", h, c.maxHeight());
        check("frames", f, c.maxFrames());
        check("steps", s, c.maxSteps());
        return new T2vRequest(caption, negativePrompt, w, h, f, s,
                guidanceScale == null ? c.guidanceScale() : guidanceScale, seed == null ? 0L : seed,
                fps == null ? c.fps() : fps);
    }

    private static void check(String field, int value, int max) {
        if (value < 1 || value > max) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, field + ": " + value + " is outside 1.." + max);
        }
    }
}
