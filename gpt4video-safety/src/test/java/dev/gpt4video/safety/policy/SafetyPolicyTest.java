package dev.gpt4video.safety.policy;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.safety.SafetyAction;
import org.junit.jupiter.api.Test;

import static dev.gpt4video.core.safety.SafetyStage.INPUT_TEXT;
import static dev.gpt4video.core.safety.SafetyStage.OUTPUT_VIDEO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetyPolicyTest {

    @Test
    void jsonOverlaysTheDefaults() {
        SafetyPolicy p = SafetyPolicy.parse("""
                {"stages": {"output_video": {"default": {"threshold": 0.4},
                                             "categories": {"sexual/suggestive": {"threshold": 0.9, "action": "block"}},
                                             "refusal": "No."}},
                 "on_classifier_failure": {"input": "flag"},
                 "frame_aggregation": {"sample_frames": 8, "min_fraction": 0.25}}""");
        assertThat(p.stage(OUTPUT_VIDEO).defaultRule()).isEqualTo(new SafetyPolicy.Rule(0.4, SafetyAction.BLOCK));
        assertThat(p.stage(OUTPUT_VIDEO).rule("sexual/suggestive")).isEqualTo(new SafetyPolicy.Rule(0.9, SafetyAction.BLOCK));
        assertThat(p.stage(OUTPUT_VIDEO).refusal()).isEqualTo("No.");
        assertThat(p.stage(INPUT_TEXT)).isEqualTo(SafetyPolicy.defaults().stage(INPUT_TEXT));
        assertThat(p.stage(INPUT_TEXT).rule("sexual/minors").threshold()).isEqualTo(0.3);
        assertThat(p.inputFailureAction()).isEqualTo(SafetyAction.FLAG);
        assertThat(p.frameAggregation().sampleFrames()).isEqualTo(8);
        assertThat(p.frameAggregation().requiredFrames(8)).isEqualTo(2);
        assertThat(p.frameAggregation().maxOverride()).isEqualTo(0.95);
    }

    @Test
    void mistakesFailNamingTheField() {
        assertThatThrownBy(() -> SafetyPolicy.parse("{\"stages\": {\"input_txt\": {}}}"))
                .isInstanceOfSatisfying(Gpt4VideoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("input_txt");
        assertThatThrownBy(() -> SafetyPolicy.parse("{\"stages\": {\"input_text\": {\"default\": {\"treshold\": 0.2}}}}"))
                .hasMessageContaining("stages.input_text.default.treshold");
        assertThatThrownBy(() -> SafetyPolicy.parse("{\"stages\": {\"input_text\": {\"categories\": {\"hate\": {\"threshold\": 1.5}}}}}"))
                .hasMessageContaining("stages.input_text.categories.hate.threshold");
        assertThatThrownBy(() -> SafetyPolicy.parse("{\"stages\": {\"input_text\": {\"default\": {\"action\": \"deny\"}}}}"))
                .hasMessageContaining("'deny'");
        assertThatThrownBy(() -> SafetyPolicy.parse("{\"frame_aggregation\": {\"min_fraction\": 0}}"))
                .hasMessageContaining("min_fraction");
    }
}
