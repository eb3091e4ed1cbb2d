package dev.gpt4video.safety.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.safety.SafetyAction;
import dev.gpt4video.core.safety.SafetyStage;
import dev.gpt4video.safety.video.FrameAggregation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the gate does with classifier scores: per stage, per category, a threshold and an action
 * (a score at or above the threshold triggers it; the most severe triggered action wins), the
 * refusal text shown when a stage blocks, what happens to the input stages when a classifier is
 * unavailable (generation stages always block), and how frame scores aggregate over a video.
 * Read from JSON (schema in {@code docs/safety.md}); anything omitted keeps the default.
 *
 * <pre>{@code
 * SafetyPolicy policy = SafetyPolicy.read(Path.of("config/safety-policy.json"));
 * }</pre>
 */
public record SafetyPolicy(Map<SafetyStage, StagePolicy> stages, SafetyAction inputFailureAction,
                           FrameAggregation frameAggregation) {

    /** Threshold in [0,1] and the action taken when a category's score reaches it. */
    public record Rule(double threshold, SafetyAction action) {
        public Rule {
            if (!(threshold >= 0 && threshold <= 1)) {
                throw invalid("threshold", "must be in [0,1], got " + threshold);
            }
            if (action == null) {
                throw invalid("action", "missing");
            }
        }
    }

    /** One stage's rules: a default for any category plus per-category overrides, and the refusal text. */
    public record StagePolicy(Rule defaultRule, Map<String, Rule> categories, String refusal) {
        public StagePolicy {
            if (defaultRule == null) {
                throw invalid("default", "missing");
            }
            categories = Map.copyOf(categories);
            if (refusal == null || refusal.isBlank()) {
                throw invalid("refusal", "must be a non-empty message");
            }
        }

        public Rule rule(String category) {
            return categories.getOrDefault(category, defaultRule);
        }
    }

    public static final String DEFAULT_REFUSAL = "I'm sorry, but I can't assist with that request.";

    public SafetyPolicy {
        if (stages == null || !stages.keySet().containsAll(java.util.EnumSet.allOf(SafetyStage.class))) {
            throw invalid("stages", "every stage needs a policy: " + java.util.Arrays.toString(SafetyStage.values()));
        }
        stages = java.util.Collections.unmodifiableMap(new EnumMap<>(stages));
        if (inputFailureAction == null) {
            throw invalid("on_classifier_failure.input", "missing");
        }
        if (frameAggregation == null) {
            throw invalid("frame_aggregation", "missing");
        }
    }

    public StagePolicy stage(SafetyStage stage) {
        return stages.get(stage);
    }

    /**
     * The defaults: block at 0.5 everywhere, at 0.3 for {@code sexual/minors}; nsfwjs'
     * {@code sexual/suggestive} only flags (at 0.6); input stages fail closed.
     */
    public static SafetyPolicy defaults() {
        Rule block = new Rule(0.5, SafetyAction.BLOCK);
        Map<String, Rule> text = Map.of("sexual/minors", new Rule(0.3, SafetyAction.BLOCK));
        Map<String, Rule> video = Map.of("sexual/suggestive", new Rule(0.6, SafetyAction.FLAG));
        Map<SafetyStage, StagePolicy> stages = new EnumMap<>(SafetyStage.class);
        stages.put(SafetyStage.INPUT_TEXT, new StagePolicy(block, text, DEFAULT_REFUSAL));
        stages.put(SafetyStage.INPUT_VIDEO, new StagePolicy(block, video,
                "I'm sorry, but I can't help with this video."));
        stages.put(SafetyStage.OUTPUT_PROMPT, new StagePolicy(block, text,
                "I'm sorry, but I can't create that video."));
        stages.put(SafetyStage.OUTPUT_VIDEO, new StagePolicy(block, video,
                "I'm sorry, but I can't share the video that was generated."));
        return new SafetyPolicy(stages, SafetyAction.BLOCK, FrameAggregation.defaults());
    }

    public static SafetyPolicy read(Path file) {
        try {
            return fromJson(new ObjectMapper().readTree(file.toFile()));
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "safety policy " + file + ": " + e.getMessage(), e);
        }
    }

    public static SafetyPolicy parse(String json) {
        try {
            return fromJson(new ObjectMapper().readTree(json));
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "safety policy: " + e.getMessage(), e);
        }
    }

    /** Overlays the JSON on {@link #defaults()}; unknown stages, fields or actions fail naming them. */
    public static SafetyPolicy fromJson(JsonNode root) {
        SafetyPolicy base = defaults();
        checkFields(root, "", "stages", "on_classifier_failure", "frame_aggregation");
        Map<SafetyStage, StagePolicy> stages = new EnumMap<>(base.stages());
        JsonNode stagesNode = root.path("stages");
        for (Iterator<String> it = stagesNode.fieldNames(); it.hasNext(); ) {
            String id = it.next();
            SafetyStage stage = stageOf(id);
            JsonNode s = stagesNode.get(id);
            String where = "stages." + id + ".";
            checkFields(s, where, "default", "categories", "refusal");
            StagePolicy old = base.stage(stage);
            Rule def = s.has("default") ? rule(s.get("default"), old.defaultRule(), where + "default") : old.defaultRule();
            Map<String, Rule> cats = new LinkedHashMap<>(old.categories());
            for (Iterator<String> c = s.path("categories").fieldNames(); c.hasNext(); ) {
                String cat = c.next();
                cats.put(cat, rule(s.path("categories").get(cat), cats.getOrDefault(cat, def), where + "categories." + cat));
            }
            String refusal = s.has("refusal") ? s.get("refusal").asText() : old.refusal();
            stages.put(stage, new StagePolicy(def, cats, refusal));
        }
        SafetyAction inputFailure = base.inputFailureAction();
        JsonNode failure = root.path("on_classifier_failure");
        checkFields(failure, "on_classifier_failure.", "input");
        if (failure.has("input")) {
            inputFailure = action(failure.get("input").asText(), "on_classifier_failure.input");
        }
        FrameAggregation agg = base.frameAggregation();
        JsonNode a = root.path("frame_aggregation");
        checkFields(a, "frame_aggregation.", "sample_frames", "min_fraction", "max_override");
        if (!a.isMissingNode()) {
            agg = new FrameAggregation(a.path("sample_frames").asInt(agg.sampleFrames()),
                    a.path("min_fraction").asDouble(agg.minFraction()), a.path("max_override").asDouble(agg.maxOverride()));
        }
        return new SafetyPolicy(stages, inputFailure, agg);
    }

    private static Rule rule(JsonNode n, Rule fallback, String where) {
        checkFields(n, where + ".", "threshold", "action");
        double t = n.has("threshold") ? n.get("threshold").asDouble(Double.NaN) : fallback.threshold();
        if (!(t >= 0 && t <= 1)) {
            throw invalid(where + ".threshold", "must be a number in [0,1], got " + n.get("threshold"));
        }
        SafetyAction action = n.has("action") ? action(n.get("action").asText(), where + ".action") : fallback.action();
        return new Rule(t, action);
    }

    private static SafetyAction action(String s, String where) {
        try {
            return SafetyAction.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid(where, "'" + s + "' is not one of allow, flag, block");
        }
    }

    private static SafetyStage stageOf(String id) {
        for (SafetyStage s : SafetyStage.values()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw invalid("stages", "unknown stage '" + id + "' (input_text, input_video, output_prompt, output_video)");
    }

    private static void checkFields(JsonNode node, String where, String... allowed) {
        if (node == null || node.isMissingNode()) {
            return;
        }
        if (!node.isObject()) {
            throw invalid(where.isEmpty() ? "policy" : where.substring(0, where.length() - 1), "must be an object");
        }
        java.util.List<String> ok = java.util.List.of(allowed);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw invalid(where + f, "unknown field (allowed: " + ok + ")");
            }
        }
    }

    private static Gpt4VideoException invalid(String field, String message) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "safety policy " + field + ": " + message);
    }
}
