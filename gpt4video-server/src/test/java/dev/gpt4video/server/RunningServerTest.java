package dev.gpt4video.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * The real server on a random port, serving a demo bundle it generates at start-up in a fresh
 * folder under {@code target/} (with the core test-jar's {@code TestDemoComponent}, registered in
 * this module's test {@code META-INF/services}). Subclasses share one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.servlet.multipart.max-file-size=256KB",
        "spring.servlet.multipart.max-request-size=300KB"})
// Spring Boot tests turn metrics export off unless asked; the Prometheus endpoint is under test.
@AutoConfigureObservability(tracing = false)
@Import({RunningServerTest.TestEndpoints.class, RunningServerTest.ScriptedModels.class})
abstract class RunningServerTest {

    static final Path BUNDLE = newBundlePath();

    @DynamicPropertySource
    static void models(DynamicPropertyRegistry registry) {
        registry.add("gpt4video.models", BUNDLE::toString);
        registry.add("gpt4video.demo.path", BUNDLE::toString);
        registry.add("gpt4video.storage.dir", () -> BUNDLE.getParent().resolve("data").toString());
        // The standard gate with the shared nsfwjs copy and a test policy (docs/safety.md) that
        // blocks captions and generated videos only when they carry the marker words below.
        Path nsfwjs = dev.gpt4video.core.testing.Fixtures.root().resolve("../models/nsfwjs-mobilenet-v2").normalize();
        if (Files.isDirectory(nsfwjs)) {
            registry.add("gpt4video.safety.nsfwjs-dir", nsfwjs::toString);
        } else {
            registry.add("gpt4video.safety.gate", () -> "permissive");
        }
    }

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final ObjectMapper json = new ObjectMapper();

    record Response(int status, HttpHeaders headers, String body, JsonNode json) {
        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }
    }

    Response get(String path) {
        return send(request(path).GET());
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
    }

    Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            if (r.headers().firstValue("Content-Type").orElse("").contains("json")) {
                body = json.readTree(r.body());
            }
            return new Response(r.statusCode(), r.headers(), r.body(), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls the readiness probe until it answers 200, for at most a minute. */
    void awaitReady() {
        await("readiness UP").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/actuator/health/readiness").status() == 200);
    }

    private static Path newBundlePath() {
        try {
            Path target = Files.createDirectories(Path.of("target"));
            return Files.createTempDirectory(target, "test-models-").resolve("demo").toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces the scheduler with {@link ScriptedScheduler} (which delegates unless a test scripts a reply). */
    @org.springframework.boot.test.context.TestConfiguration
    static class ScriptedModels {
        @org.springframework.context.annotation.Bean
        @org.springframework.context.annotation.Primary
        dev.gpt4video.server.serving.ModelLoader scriptedModelLoader(
                dev.gpt4video.server.serving.StorageProperties storage, dev.gpt4video.server.serving.T2vProperties t2v,
                dev.gpt4video.server.serving.LlmProperties llm, dev.gpt4video.server.serving.RuntimeProperties runtime,
                dev.gpt4video.server.serving.SafetyProperties safety, dev.gpt4video.abstractor.decode.VideoDecoder decoder,
                dev.gpt4video.server.metrics.ServerMetrics metrics) {
            return new dev.gpt4video.server.serving.ModelLoader(storage, t2v, llm, runtime, safety, decoder, metrics) {
                @Override
                protected dev.gpt4video.llm.generate.Scheduler newScheduler(dev.gpt4video.llm.llama.LlamaModel model,
                        dev.gpt4video.llm.tokenizer.Tokenizer tokenizer, dev.gpt4video.llm.generate.SchedulerOptions options) {
                    return new ScriptedScheduler(super.newScheduler(model, tokenizer, options), tokenizer);
                }
            };
        }
    }

    /** Endpoints that exist only in tests, to drive the error handling. */
    @RestController
    static class TestEndpoints {
        @GetMapping("/test/queue-full")
        String queueFull() {
            throw new Gpt4VideoException(ErrorCode.QUEUE_FULL, "the generation queue is full; retry later");
        }

        @GetMapping("/test/boom")
        String boom() {
            throw new IllegalStateException("secret internal detail");
        }

        @GetMapping("/test/param")
        int param(@RequestParam int n) {
            return n;
        }

        @PostMapping(path = "/test/echo", consumes = MediaType.APPLICATION_JSON_VALUE)
        Map<String, Object> echo(@RequestBody Payload payload) {
            return Map.of("count", payload.count());
        }

        record Payload(int count) {
        }

        @PostMapping(path = "/test/upload", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
        long upload(@RequestPart("file") MultipartFile file) {
            return file.getSize();
        }
    }
}
