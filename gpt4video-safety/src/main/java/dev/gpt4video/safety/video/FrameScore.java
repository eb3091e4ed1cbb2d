package dev.gpt4video.safety.video;

import java.util.Map;

/** One frame's category scores in [0,1] and the classifier's raw outputs (probabilities, concept scores). */
public record FrameScore(Map<String, Double> categories, Map<String, Object> raw) {
    public FrameScore {
        categories = Map.copyOf(categories);
        raw = raw == null ? Map.of() : Map.copyOf(raw);
    }
}
