package dev.gpt4video.safety.video;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.safety.SafetyClassifier;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyScores;
import dev.gpt4video.core.safety.SafetyStage;
import dev.gpt4video.core.video.Frames;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Judges the video stages with a {@link FrameClassifier}: samples frames, scores each, and
 * aggregates per category with a {@link FrameAggregation}. Raw outputs keep every frame's scores.
 */
public final class VideoSafetyClassifier implements SafetyClassifier {
    private final FrameClassifier frames;
    private final FrameAggregation aggregation;

    public VideoSafetyClassifier(FrameClassifier frames, FrameAggregation aggregation) {
        this.frames = frames;
        this.aggregation = aggregation;
    }

    @Override
    public String name() {
        return frames.name();
    }

    @Override
    public boolean supports(SafetyStage stage) {
        return stage == SafetyStage.INPUT_VIDEO || stage == SafetyStage.OUTPUT_VIDEO;
    }

    @Override
    public SafetyScores classify(SafetyInput input) {
        if (input.frames() == null || input.frames().count() == 0) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, name() + ": no frames to check");
        }
        Frames sampled = FrameSampler.sample(input.frames(), aggregation.sampleFrames());
        List<FrameScore> perFrame = frames.scoreFrames(sampled);
        TreeSet<String> categories = new TreeSet<>();
        perFrame.forEach(f -> categories.addAll(f.categories().keySet()));
        Map<String, Double> video = new LinkedHashMap<>();
        for (String c : categories) {
            double[] s = perFrame.stream().mapToDouble(f -> f.categories().getOrDefault(c, 0.0)).toArray();
            video.put(c, aggregation.videoScore(s));
        }
        List<Map<String, Object>> raw = new ArrayList<>();
        for (FrameScore f : perFrame) {
            Map<String, Object> m = new LinkedHashMap<>(f.raw());
            m.put("categories", f.categories());
            raw.add(m);
        }
        return new SafetyScores(name(), video, Map.of("frames", raw, "sampled", perFrame.size(),
                "required_frames", aggregation.requiredFrames(perFrame.size())));
    }

    @Override
    public void close() {
        frames.close();
    }
}
