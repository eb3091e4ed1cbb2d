package dev.gpt4video.server;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bounded queues answer 429 with {@code Retry-After}: with one running sequence and one waiting
 * slot, a third request is refused at once, streaming or not; when the first two go away the
 * server takes requests again.
 */
class BackpressureTest extends RunningServerTest {

    @DynamicPropertySource
    static void tinyQueue(DynamicPropertyRegistry registry) {
        registry.add("gpt4video.llm.max-batch-size", () -> "1");
        registry.add("gpt4video.llm.max-waiting", () -> "1");
    }

    @BeforeEach
    void ready() {
        awaitReady();
    }

    static final String LONG = """
            {"stream": true, "max_tokens": 1500, "ignore_eos": true,
             "messages": [{"role": "user", "content": "A very long story"}]}""";

    HttpRequest chat(String body) {
        return request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        HttpResponse<InputStream> running = http.send(chat(LONG), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(running.body(), StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith("data: {")) {
                break; // the first sequence is decoding
            }
        }
        CompletableFuture<HttpResponse<InputStream>> waiting = http.sendAsync(chat(LONG), HttpResponse.BodyHandlers.ofInputStream());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> get("/actuator/prometheus").body().contains("gpt4video_num_requests_waiting{model=\"gpt4video-demo\"} 1.0"));

        Response refused = send(request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.json().path("error").path("code").asText()).isEqualTo("queue_full");
        assertThat(refused.json().path("error").path("type").asText()).isEqualTo("overloaded_error");

        Response refusedStream = send(request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(LONG)));
        assertThat(refusedStream.status()).isEqualTo(429);
        assertThat(refusedStream.json().path("error").path("code").asText()).isEqualTo("queue_full");

        running.body().close();
        waiting.join().body().close();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> send(request("/v1/chat/completions").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"max_tokens\": 2, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"))).status() == 200);
    }
}
