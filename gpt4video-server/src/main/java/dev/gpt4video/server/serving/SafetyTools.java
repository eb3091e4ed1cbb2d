package dev.gpt4video.server.serving;

import dev.gpt4video.core.safety.SafetyGate;
import dev.gpt4video.safety.nsfwjs.NsfwjsFrameClassifier;
import dev.gpt4video.safety.policy.ClassifierHealth;
import dev.gpt4video.safety.policy.DefaultSafetyGate;

import java.util.List;
import java.util.Optional;

/** The gate and, for {@code /v1/moderations}, the frame classifier behind it when it loaded. */
public record SafetyTools(SafetyGate gate, NsfwjsFrameClassifier nsfwjs) {
    public Optional<NsfwjsFrameClassifier> frameClassifier() {
        return Optional.ofNullable(nsfwjs);
    }

    /** Per-classifier health; empty for gates without classifiers (permissive). */
    public List<ClassifierHealth> health() {
        return gate instanceof DefaultSafetyGate d ? d.classifierHealth() : List.of();
    }
}
