package dev.gpt4video.core.safety;

import java.util.Map;

/** One classifier's output: a score in [0,1] per category, plus its raw outputs for auditing. */
public record SafetyScores(String classifier, Map<String, Double> categoryScores, Map<String, Object> raw) {
    public SafetyScores {
        categoryScores = Map.copyOf(categoryScores);
        raw = raw == null ? Map.of() : Map.copyOf(raw);
    }
}
