package dev.gpt4video.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.testing.Fixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server started on the stories260k fixture folder (a plain HF LLaMA directory, text only):
 * {@code /v1/completions} with each golden's {@code prompt_ids}, temperature 0 and max_tokens =
 * its length returns exactly llama2.c's greedy {@code generated_ids}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class Stories260kCompletionsTest {
    static final Path FIXTURE = Fixtures.root().resolve("stories260k");

    @DynamicPropertySource
    static void models(DynamicPropertyRegistry registry) throws Exception {
        registry.add("gpt4video.models", FIXTURE::toString);
        Path data = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "stories-data-");
        registry.add("gpt4video.storage.dir", data::toString);
    }

    @BeforeAll
    static void fixture() {
        Assumptions.assumeTrue(Files.isDirectory(FIXTURE), "parity fixture not found at " + FIXTURE + "; skipping");
    }

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    JsonNode post(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    @Test
    void greedyCompletionsReproduceTheGoldens() throws Exception {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        JsonNode goldens = json.readTree(FIXTURE.resolve("golden.json").toFile());
        for (JsonNode g : goldens) {
            String body = "{\"prompt\": " + g.get("prompt_ids") + ", \"temperature\": 0, \"max_tokens\": "
                    + g.get("generated_ids").size() + "}";
            JsonNode r = post("/v1/completions", body);
            JsonNode choice = r.path("choices").get(0);
            assertThat(choice.path("token_ids")).as(g.path("prompt").asText()).isEqualTo(g.get("generated_ids"));
            assertThat(choice.path("finish_reason").asText()).isEqualTo("length");
            assertThat(r.path("usage").path("prompt_tokens").asInt()).isEqualTo(g.get("prompt_ids").size());
            assertThat(r.path("usage").path("completion_tokens").asInt()).isEqualTo(g.get("generated_ids").size());
        }
        // The same through a string prompt (BOS added by the server) and the text the golden decodes to.
        JsonNode first = goldens.get(0);
        JsonNode r = post("/v1/completions", "{\"prompt\": " + json.writeValueAsString(first.path("prompt").asText())
                + ", \"temperature\": 0, \"max_tokens\": 64, \"echo\": true}");
        assertThat(r.path("choices").get(0).path("text").asText()).isEqualTo(first.path("decoded_text").asText());
    }
}
