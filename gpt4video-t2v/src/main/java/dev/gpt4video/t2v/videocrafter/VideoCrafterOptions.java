package dev.gpt4video.t2v.videocrafter;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.t2v.text.TextCleaning;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * How a VideoCrafter1 backend runs. Defaults are the 512 model's reference settings (320x512,
 * 16 frames, 50 DDIM steps, eta 1.0, guidance 12); null fields take them.
 *
 * @param eta                DDIM eta (1.0 in VideoCrafter's scripts: fresh noise every step)
 * @param fps                playback rate written into the frames (the gradio demo saves at 8)
 * @param fpsCondition       the fps the 1024 model is conditioned on (28 in {@code run_text2video.sh});
 *                           ignored by models without {@code fps_cond}
 * @param attentionSliceSize spatial attention (batch x head) matrices at once: 0 automatic, negative all
 * @param vaeFramesPerBatch  frames the VAE decodes at once
 */
public record VideoCrafterOptions(Integer width, Integer height, Integer frames, Integer steps, Double guidanceScale,
                                  Double eta, Integer fps, Integer fpsCondition, Integer maxWidth, Integer maxHeight,
                                  Integer maxFrames, Integer maxSteps, Integer attentionSliceSize,
                                  Integer vaeFramesPerBatch, TextCleaning textCleaning) {
    public VideoCrafterOptions {
        width = width == null ? 512 : width;
        height = height == null ? 320 : height;
        frames = frames == null ? 16 : frames;
        steps = steps == null ? 50 : steps;
        guidanceScale = guidanceScale == null ? 12.0 : guidanceScale;
        eta = eta == null ? 1.0 : eta;
        fps = fps == null ? 8 : fps;
        fpsCondition = fpsCondition == null ? 28 : fpsCondition;
        maxWidth = maxWidth == null ? 1024 : maxWidth;
        maxHeight = maxHeight == null ? 1024 : maxHeight;
        maxFrames = maxFrames == null ? 32 : maxFrames;
        maxSteps = maxSteps == null ? 150 : maxSteps;
        attentionSliceSize = attentionSliceSize == null ? 0 : attentionSliceSize;
        vaeFramesPerBatch = vaeFramesPerBatch == null ? 1 : vaeFramesPerBatch;
        textCleaning = textCleaning == null ? TextCleaning.FTFY : textCleaning;
        positive("width", width);
        positive("height", height);
        positive("frames", frames);
        positive("steps", steps);
        positive("fps", fps);
        positive("fps_condition", fpsCondition);
        positive("vae_frames_per_batch", vaeFramesPerBatch);
        if (width > maxWidth || height > maxHeight || frames > maxFrames || steps > maxSteps) {
            throw invalid("width", "defaults must lie within the limits");
        }
        if (!(guidanceScale >= 0)) {
            throw invalid("guidance_scale", "must be >= 0, got " + guidanceScale);
        }
        if (!(eta >= 0)) {
            throw invalid("eta", "must be >= 0, got " + eta);
        }
    }

    public static VideoCrafterOptions defaults() {
        return new VideoCrafterOptions(null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /**
     * Options from a manifest entry's plain JSON values (snake_case names of the fields above,
     * e.g. {@code guidance_scale}, {@code fps_condition}); unknown keys are ignored.
     */
    public static VideoCrafterOptions fromMap(Map<String, ?> map) {
        Function<String, Integer> i = k -> map.get(k) instanceof Number n ? n.intValue()
                : map.get(k) == null ? null : Integer.valueOf(map.get(k).toString());
        Function<String, Double> d = k -> map.get(k) == null ? null : Double.valueOf(map.get(k).toString());
        Object cleaning = map.get("text_cleaning");
        return new VideoCrafterOptions(i.apply("width"), i.apply("height"), i.apply("frames"), i.apply("steps"),
                d.apply("guidance_scale"), d.apply("eta"), i.apply("fps"), i.apply("fps_condition"),
                i.apply("max_width"), i.apply("max_height"), i.apply("max_frames"), i.apply("max_steps"),
                i.apply("attention_slice_size"), i.apply("vae_frames_per_batch"),
                cleaning == null ? null : TextCleaning.valueOf(cleaning.toString().toUpperCase(Locale.ROOT)));
    }

    /** These options with other request defaults (for small test or demo models). */
    public VideoCrafterOptions withDefaults(int width, int height, int frames, int steps) {
        return new VideoCrafterOptions(width, height, frames, steps, guidanceScale, eta, fps, fpsCondition, maxWidth,
                maxHeight, maxFrames, maxSteps, attentionSliceSize, vaeFramesPerBatch, textCleaning);
    }

    /** These options with another DDIM eta. */
    public VideoCrafterOptions withEta(double value) {
        return new VideoCrafterOptions(width, height, frames, steps, guidanceScale, value, fps, fpsCondition, maxWidth,
                maxHeight, maxFrames, maxSteps, attentionSliceSize, vaeFramesPerBatch, textCleaning);
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
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "videocrafter option " + field + ": " + message);
    }
}
