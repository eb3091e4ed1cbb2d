package dev.gpt4video.safety.video;

import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyScores;
import dev.gpt4video.core.safety.SafetyStage;
import dev.gpt4video.core.video.Frames;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FrameAggregationTest {

    @Test
    void samplesLikeTheReference() {
        assertThat(FrameSampler.indices(100, 4)).containsExactly(12, 37, 62, 86);
        assertThat(FrameSampler.indices(3, 5)).containsExactly(0, 0, 1, 1, 2);
    }

    @Test
    void fiveOfTenFramesOrOneVeryHighFrameFire() {
        FrameAggregation rule = FrameAggregation.defaults();
        double[] four = {0.9, 0.8, 0.7, 0.6, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
        double[] five = {0.9, 0.8, 0.7, 0.6, 0.55, 0.1, 0.1, 0.1, 0.1, 0.1};
        double[] spike = {0.97, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
        double t = 0.5;
        assertThat(rule.videoScore(four)).isLessThan(t);
        assertThat(rule.videoScore(five)).isEqualTo(0.55);
        assertThat(rule.videoScore(spike)).isEqualTo(0.97);
    }

    @Test
    void classifierSamplesAggregatesAndKeepsPerFrameScores() {
        List<byte[]> rgb = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rgb.add(new byte[] {(byte) i, 0, 0});
        }
        // Frame "score" = its index / 40, so sampled indices show through.
        FrameClassifier byIndex = new FrameClassifier() {
            public String name() {
                return "index";
            }

            public List<FrameScore> scoreFrames(Frames frames) {
                return frames.rgb().stream().map(f -> new FrameScore(Map.of("x", f[0] / 40.0), Map.of())).toList();
            }
        };
        VideoSafetyClassifier c = new VideoSafetyClassifier(byIndex, FrameAggregation.defaults());
        SafetyScores s = c.classify(SafetyInput.frames(SafetyStage.OUTPUT_VIDEO, new Frames(1, 1, 8, rgb)));
        int[] idx = FrameSampler.indices(40, 10);
        assertThat(s.categoryScores().get("x")).isEqualTo(idx[5] / 40.0); // 5th highest of 10 sampled
        assertThat((List<?>) s.raw().get("frames")).hasSize(10);
    }
}
