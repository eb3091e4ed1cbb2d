package dev.gpt4video.core.safety;

import dev.gpt4video.core.video.Frames;

/** What one stage checks: text for the text stages, frames for the video stages. */
public record SafetyInput(SafetyStage stage, String text, Frames frames) {
    public static SafetyInput text(SafetyStage stage, String text) {
        return new SafetyInput(stage, text, null);
    }

    public static SafetyInput frames(SafetyStage stage, Frames frames) {
        return new SafetyInput(stage, null, frames);
    }
}
