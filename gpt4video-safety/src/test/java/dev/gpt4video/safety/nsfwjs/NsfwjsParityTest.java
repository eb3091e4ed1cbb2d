package dev.gpt4video.safety.nsfwjs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.testing.Fixtures;
import dev.gpt4video.core.video.Frames;
import dev.gpt4video.safety.video.FrameScore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Goldens: nsfwjs@4.4.0 infer() on @tensorflow/tfjs@4.22.0 (cpu backend, node 20), see the model's
 * README. Tolerance 1e-4 absolute per probability, and the same top class.
 */
class NsfwjsParityTest {
    private static Path dir;
    private static NsfwjsFrameClassifier classifier;

    @BeforeAll
    static void load() {
        dir = Fixtures.requireModel("nsfwjs-mobilenet-v2");
        classifier = NsfwjsFrameClassifier.load(dir);
    }

    @AfterAll
    static void close() {
        if (classifier != null) {
            classifier.close();
        }
    }

    @Test
    void everyGoldenMatchesNsfwjs() throws Exception {
        JsonNode goldens = new ObjectMapper().readTree(dir.resolve("golden/golden.json").toFile());
        List<String> classes = classifier.model().config().classes();
        assertThat(goldens.size()).isGreaterThanOrEqualTo(8);
        double maxError = 0;
        for (JsonNode g : goldens) {
            byte[] png = Files.readAllBytes(dir.resolve("golden").resolve(g.path("file").asText()));
            float[] p = classifier.probabilities(png);
            int top = 0;
            for (int i = 0; i < 5; i++) {
                float expected = (float) g.path("probabilities").get(i).asDouble();
                maxError = Math.max(maxError, Math.abs(p[i] - expected));
                assertThat(p[i]).as("%s %s", g.path("file").asText(), classes.get(i)).isCloseTo(expected, within(1e-4f));
                top = p[i] > p[top] ? i : top;
            }
            assertThat(classes.get(top)).as(g.path("file").asText()).isEqualTo(g.path("top_class").asText());
        }
        System.out.printf("nsfwjs parity: %d goldens, max abs error %.3g%n", goldens.size(), maxError);
    }

    @Test
    void framesBatchGivesTheSameScoresAsSingleImages() throws Exception {
        Path golden = dir.resolve("golden");
        List<byte[]> rgb = new ArrayList<>();
        List<float[]> single = new ArrayList<>();
        for (String f : List.of("real_coffee.png", "syn_shapes.png")) {
            byte[] png = Files.readAllBytes(golden.resolve(f));
            rgb.add(NsfwjsPreprocessor.rgb(NsfwjsPreprocessor.decode(png)));
            single.add(classifier.probabilities(png));
        }
        List<FrameScore> scores = classifier.scoreFrames(new Frames(224, 224, 8, rgb));
        for (int i = 0; i < 2; i++) {
            float[] p = single.get(i);
            assertThat(scores.get(i).categories().get(NsfwjsFrameClassifier.SEXUAL))
                    .isCloseTo((double) p[3] + p[1], within(1e-5));
            assertThat(scores.get(i).categories().get(NsfwjsFrameClassifier.SUGGESTIVE)).isCloseTo(p[4], within(1e-5));
        }
    }
}
