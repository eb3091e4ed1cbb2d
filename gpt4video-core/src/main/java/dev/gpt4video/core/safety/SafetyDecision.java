package dev.gpt4video.core.safety;

import java.util.List;
import java.util.Map;

/**
 * The gate's verdict for one stage: the action, the categories that triggered it, the scores
 * behind it, and the refusal text to show when blocked.
 */
public record SafetyDecision(SafetyStage stage, SafetyAction action, List<String> categories,
                             Map<String, Double> scores, String refusal, List<SafetyScores> details) {
    public SafetyDecision {
        categories = List.copyOf(categories);
        scores = Map.copyOf(scores);
        details = List.copyOf(details);
    }

    public boolean blocked() {
        return action == SafetyAction.BLOCK;
    }

    public static SafetyDecision allow(SafetyStage stage) {
        return new SafetyDecision(stage, SafetyAction.ALLOW, List.of(), Map.of(), null, List.of());
    }
}
