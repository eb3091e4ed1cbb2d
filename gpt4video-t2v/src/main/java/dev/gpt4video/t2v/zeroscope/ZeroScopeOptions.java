package dev.gpt4video.t2v.zeroscope;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.t2v.text.TextCleaning;

import java.util.Locale;

/**
 * How a ZeroScope backend runs: defaults a request does not override (the model card's 576x320,
 * 24 frames, 40 DPM-Solver++ steps, guidance 9), request limits, and memory knobs. Null fields
 * take these defaults.
 *
 * @param scheduler          {@code dpmsolver++} (model card) or {@code ddim} (the folder's stored scheduler)
 * @param fps                playback rate written into the frames (not a model property; 8 is what
 *                           2023 diffusers' {@code export_to_video} used)
 * @param attentionSliceSize (batch x head) attention matrices computed at once: 0 automatic (bounded
 *                           to 256 MiB of scores), negative all at once, positive a fixed count
 * @param vaeFramesPerBatch  frames the VAE decodes at once (1 bounds decoder memory to one frame)
 * @param textCleaning       tokenizer text cleaning (FTFY = transformers with ftfy installed)
 */
public record ZeroScopeOptions(Integer width, Integer height, Integer frames, Integer steps, Double guidanceScale,
                               Integer fps, String scheduler, Integer maxWidth, Integer maxHeight, Integer maxFrames,
                               Integer maxSteps, Integer attentionSliceSize, Integer vaeFramesPerBatch,
                               TextCleaning textCleaning) {
    public static final String DPM_SOLVER = "dpmsolver++";
    public static final String DDIM = "ddim";

    public ZeroScopeOptions {
        width = width == null ? 576 : width;
        height = height == null ? 320 : height;
        frames = frames == null ? 24 : frames;
        steps = steps == null ? 40 : steps;
        guidanceScale = guidanceScale == null ? 9.0 : guidanceScale;
        fps = fps == null ? 8 : fps;
        scheduler = scheduler == null ? DPM_SOLVER : scheduler.toLowerCase(Locale.ROOT);
        maxWidth = maxWidth == null ? 1024 : maxWidth;
        maxHeight = maxHeight == null ? 1024 : maxHeight;
        maxFrames = maxFrames == null ? 64 : maxFrames;
        maxSteps = maxSteps == null ? 150 : maxSteps;
        attentionSliceSize = attentionSliceSize == null ? 0 : attentionSliceSize;
        vaeFramesPerBatch = vaeFramesPerBatch == null ? 1 : vaeFramesPerBatch;
        textCleaning = textCleaning == null ? TextCleaning.FTFY : textCleaning;
        if (!scheduler.equals(DPM_SOLVER) && !scheduler.equals(DDIM)) {
            throw invalid("scheduler", "'" + scheduler + "' is not " + DPM_SOLVER + " or " + DDIM);
        }
        positive("width", width);
        positive("height", height);
        positive("frames", frames);
        positive("steps", steps);
        positive("fps", fps);
        positive("vae_frames_per_batch", vaeFramesPerBatch);
        if (width > maxWidth || height > maxHeight || frames > maxFrames || steps > maxSteps) {
            throw invalid("width", "defaults must lie within the limits");
        }
        if (!(guidanceScale >= 0)) {
            throw invalid("guidance_scale", "must be >= 0, got " + guidanceScale);
        }
    }

    public static ZeroScopeOptions defaults() {
        return new ZeroScopeOptions(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * Options from a manifest entry's plain JSON values ({@code width}, {@code height}, {@code frames},
     * {@code steps}, {@code guidance_scale}, {@code fps}, {@code scheduler}, {@code max_width},
     * {@code max_height}, {@code max_frames}, {@code max_steps}, {@code attention_slice_size},
     * {@code vae_frames_per_batch}, {@code text_cleaning}); unknown keys (e.g. {@code dtype}) are ignored.
     */
    public static ZeroScopeOptions fromMap(java.util.Map<String, ?> map) {
        java.util.function.Function<String, Integer> i = k -> map.get(k) instanceof Number n ? n.intValue()
                : map.get(k) == null ? null : Integer.valueOf(map.get(k).toString());
        Object g = map.get("guidance_scale");
        Object cleaning = map.get("text_cleaning");
        return new ZeroScopeOptions(i.apply("width"), i.apply("height"), i.apply("frames"), i.apply("steps"),
                g == null ? null : Double.valueOf(g.toString()), i.apply("fps"),
                map.get("scheduler") == null ? null : map.get("scheduler").toString(), i.apply("max_width"),
                i.apply("max_height"), i.apply("max_frames"), i.apply("max_steps"), i.apply("attention_slice_size"),
                i.apply("vae_frames_per_batch"),
                cleaning == null ? null : TextCleaning.valueOf(cleaning.toString().toUpperCase(Locale.ROOT)));
    }

    /** These options with other request defaults (for small test or demo models). */
    public ZeroScopeOptions withDefaults(int width, int height, int frames, int steps) {
        return new ZeroScopeOptions(width, height, frames, steps, guidanceScale, fps, scheduler, maxWidth, maxHeight,
                maxFrames, maxSteps, attentionSliceSize, vaeFramesPerBatch, textCleaning);
    }

    /** These options with another scheduler ({@link #DPM_SOLVER} or {@link #DDIM}). */
    public ZeroScopeOptions withScheduler(String name) {
        return new ZeroScopeOptions(width, height, frames, steps, guidanceScale, fps, name, maxWidth, maxHeight,
                maxFrames, maxSteps, attentionSliceSize, vaeFramesPerBatch, textCleaning);
    }

    public BackendCapabilities capabilities() {
        return new BackendCapabilities(width, height, frames, fps, steps, guidanceScale, maxWidth, maxHeight, maxFrames,
                maxSteps, false);
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw invalid(field, "must be positive, got " + value);
        }
    }

    private static Gpt4VideoException invalid(String field, String message) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "zeroscope option " + field + ": " + message);
    }
}
