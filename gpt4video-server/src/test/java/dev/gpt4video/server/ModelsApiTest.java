package dev.gpt4video.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpt4video.core.bundle.DemoBundleGenerator;
import dev.gpt4video.core.bundle.ModelManifest;
import dev.gpt4video.core.bundle.TestDemoComponent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ModelsApiTest extends RunningServerTest {

    @BeforeEach
    void ready() {
        awaitReady();
    }

    @Test
    void healthIsUpWithLivenessReadinessAndModels() {
        Response health = get("/actuator/health");

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("UP");
        assertThat(health.json().path("groups")).extracting(JsonNode::asText).contains("liveness", "readiness");
        JsonNode models = health.json().path("components").path("models");
        assertThat(models.path("status").asText()).isEqualTo("UP");
        assertThat(models.path("details").path("model").asText()).isEqualTo(DemoBundleGenerator.MODEL_NAME);
        assertThat(models.path("details").path("demo").asBoolean()).isTrue();
        assertThat(models.path("details").path("components").path(TestDemoComponent.ROLE).asText()).isEqualTo(TestDemoComponent.TYPE);

        Response liveness = get("/actuator/health/liveness");
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(liveness.json().path("status").asText()).isEqualTo("UP");

        Response readiness = get("/actuator/health/readiness");
        assertThat(readiness.json().path("status").asText()).isEqualTo("UP");
        assertThat(readiness.json().path("components").fieldNames()).toIterable().containsExactlyInAnyOrder("readinessState", "models");
    }

    @Test
    void listsTheDemoBundleTheServerGenerated() {
        Response list = get("/v1/models");

        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().path("object").asText()).isEqualTo("list");
        assertThat(list.json().path("data")).hasSize(1);
        JsonNode model = list.json().path("data").get(0);
        assertThat(model.path("id").asText()).isEqualTo(DemoBundleGenerator.MODEL_NAME);
        assertThat(model.path("object").asText()).isEqualTo("model");
        assertThat(model.path("owned_by").asText()).isEqualTo("gpt4video");
        assertThat(model.path("created").asLong()).isPositive();
        assertThat(model.path("demo").asBoolean()).isTrue();
        assertThat(model.path("label").asText()).isEqualTo("random weights — for plumbing only");
        assertThat(json.convertValue(model.path("components"), Map.class)).containsEntry(TestDemoComponent.ROLE, TestDemoComponent.TYPE)
                .containsEntry("vision", "mplug-owl-video-vision");
        // The demo's tiny ZeroScope is the default backend, VideoCrafter1 a second one; the placeholder is always there.
        assertThat(model.path("video_backends")).hasSize(3);
        assertThat(model.path("video_backends").findValuesAsText("name")).containsExactly("zeroscope-v2", "videocrafter1", "placeholder");
        JsonNode zeroscope = model.path("video_backends").get(0);
        assertThat(zeroscope.path("name").asText()).isEqualTo("zeroscope-v2");
        assertThat(zeroscope.path("default").asBoolean()).isTrue();
        assertThat(zeroscope.path("placeholder").asBoolean()).isFalse();
        JsonNode backend = model.path("video_backends").get(2);
        assertThat(backend.path("name").asText()).isEqualTo("placeholder");
        assertThat(backend.path("default").asBoolean()).isFalse();
        assertThat(backend.path("placeholder").asBoolean()).isTrue();
        assertThat(backend.path("capabilities").path("fps").asInt()).isPositive();
        assertThat(backend.path("capabilities").path("max_frames").asInt())
                .isGreaterThanOrEqualTo(backend.path("capabilities").path("frames").asInt());

        ModelManifest onDisk = ModelManifest.read(BUNDLE.resolve(ModelManifest.FILE_NAME));
        assertThat(onDisk.demo()).isTrue();
        assertThat(BUNDLE.resolve("README.txt")).content().contains("random weights — for plumbing only");
    }

    @Test
    void retrievesOneModelById() {
        Response found = get("/v1/models/" + DemoBundleGenerator.MODEL_NAME);
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.json().path("id").asText()).isEqualTo(DemoBundleGenerator.MODEL_NAME);

        Response missing = get("/v1/models/gpt-4");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("error").path("code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void exposesPrometheusMetrics() {
        Response metrics = get("/actuator/prometheus");

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.contentType()).startsWith("text/plain");
        assertThat(metrics.body()).contains("jvm_memory_used_bytes", "http_server_requests_seconds");
    }
}
