package dev.gpt4video.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.http.HttpRequest;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With the frame classifier unavailable (disabled here; a missing model behaves the same), the standard gate keeps running but fails closed: generated
 * videos are withheld ({@code content_blocked}, category {@code safety_unavailable}), and health and
 * metrics say so. Text stages keep working. The model's own refusals are counted.
 */
class SafetyFailClosedTest extends RunningServerTest {

    @DynamicPropertySource
    static void missingModel(DynamicPropertyRegistry registry) {
        registry.add("gpt4video.safety.gate", () -> "standard");
        registry.add("gpt4video.safety.frame-classifier", () -> "none");
    }

    @BeforeEach
    void ready() {
        awaitReady();
    }

    @AfterEach
    void unscript() {
        ScriptedScheduler.reply = null;
    }

    @Test
    void missingFrameClassifierFailsClosedAndShows() {
        JsonNode safety = get("/actuator/health").json().path("components").path("safety");
        assertThat(safety.path("status").asText()).isEqualTo("DEGRADED");
        assertThat(safety.path("details").path("classifiers").path("nsfwjs-mobilenet-v2").path("available").asBoolean()).isFalse();
        assertThat(safety.path("details").path("classifiers").path("semantic-text").path("available").asBoolean()).isTrue();
        assertThat(get("/actuator/health").status()).isEqualTo(200); // refusing is safe: the server stays up
        assertThat(get("/actuator/prometheus").body())
                .contains("gpt4video_safety_classifier_available{classifier=\"nsfwjs-mobilenet-v2\"} 0.0")
                .contains("gpt4video_safety_classifier_available{classifier=\"semantic-text\"} 1.0");

        Response created = send(request("/v1/videos").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"placeholder\", \"prompt\": \"a calm lake\", \"num_frames\": 2}")));
        assertThat(created.status()).isEqualTo(200);
        String id = created.json().path("id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/v1/videos/" + id).json().path("status").asText().equals("failed"));
        assertThat(get("/v1/videos/" + id).json().path("error").path("code").asText()).isEqualTo("content_blocked");
        assertThat(get("/actuator/prometheus").body())
                .containsPattern("gpt4video_safety_decisions_total\\{action=\"block\",category=\"safety_unavailable\",stage=\"output_video\"");
    }

    @Test
    void theModelsOwnRefusalsAreCounted() {
        ScriptedScheduler.reply = "I'm sorry, but I can't help with that.";
        Response r = send(request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me a joke\"}]}")));
        assertThat(r.status()).isEqualTo(200);
        assertThat(get("/actuator/prometheus").body()).contains("gpt4video_refusals_total{stage=\"model\"}");
    }
}
