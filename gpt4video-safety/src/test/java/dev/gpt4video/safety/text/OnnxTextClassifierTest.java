package dev.gpt4video.safety.text;

import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyScores;
import dev.gpt4video.core.safety.SafetyStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Pre/post-processing and label mapping on a hand-written ONNX bag-of-words model and a WordLevel tokenizer. */
class OnnxTextClassifierTest {
    static final String TOKENIZER = """
            {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
             "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "Whitespace"},
             "post_processor": null, "decoder": null,
             "model": {"type": "WordLevel", "unk_token": "[UNK]",
                       "vocab": {"[UNK]": 0, "kill": 1, "the": 2, "lights": 3, "hate": 4, "them": 5, "hello": 6}}}""";
    // Rows: token id; columns: logits for labels [safe, violence, hate].
    static final float[][] TABLE = {
            {0, 0, 0}, {0, 3, 0}, {1, 0, 0}, {4, -2, 0}, {0, 0, 3}, {0, 1, 1}, {2, 0, 0}};

    @Test
    void tokenizesRunsAndMapsLabels(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("model.onnx"), TinyOnnx.bagOfWordsClassifier(TABLE));
        Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER);
        Files.writeString(dir.resolve("config.json"), "{\"id2label\": {\"0\": \"safe\", \"1\": \"violence\", \"2\": \"hate\"}}");
        OnnxTextClassifier.Config config = new OnnxTextClassifier.Config(dir, null, OnnxTextClassifier.Activation.SOFTMAX,
                Map.of("violence", "violence/threat"), null, 64);
        try (OnnxTextClassifier c = OnnxTextClassifier.load(config)) {
            assertThat(c.labels()).containsExactly("safe", "violence", "hate");
            // "kill them" -> ids [1, 5] -> mean logits [0, 2, 0.5]
            assertThat(c.probabilities("Kill them")).containsExactly(softmax(0, 2, 0.5), within(1e-6));
            // "kill the lights" -> ids [1, 2, 3] -> mean [5/3, 1/3, 0]
            assertThat(c.probabilities("kill the lights")).containsExactly(softmax(5 / 3.0, 1 / 3.0, 0), within(1e-6));

            SafetyScores s = c.classify(SafetyInput.text(SafetyStage.INPUT_TEXT, "k i l l them"));
            assertThat(s.categoryScores().keySet()).containsExactlyInAnyOrder("violence/threat", "hate");
            assertThat(s.categoryScores().get("violence/threat")).isCloseTo(softmax(0, 2, 0.5)[1], within(1e-6));
        }
        OnnxTextClassifier.Config multi = new OnnxTextClassifier.Config(dir, java.util.List.of("ok", "violence", "hate"),
                OnnxTextClassifier.Activation.SIGMOID, null, Set.of("ok"), 64);
        try (OnnxTextClassifier c = OnnxTextClassifier.load(multi)) {
            SafetyScores s = c.classify(SafetyInput.text(SafetyStage.OUTPUT_PROMPT, "hate them"));
            // ids [4, 5] -> mean [0, 0.5, 2]
            assertThat(s.categoryScores()).containsOnlyKeys("violence", "hate");
            assertThat(s.categoryScores().get("hate")).isCloseTo(1 / (1 + Math.exp(-2)), within(1e-6));
        }
    }

    static double[] softmax(double... z) {
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i]);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
