package dev.gpt4video.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upload → chat (streaming and not) → a reply with a {@code <video>} span (scripted by the
 * test-only {@link ScriptedScheduler}) → the generation completes → the MP4 downloads. Against the
 * running app on the generated demo bundle (tiny random LLaMA + mPLUG-Owl video tower).
 */
class ChatApiTest extends RunningServerTest {
    static Path clip;

    @BeforeAll
    static void makeClip() throws Exception {
        clip = TestVideos.colourClip(BUNDLE.getParent().resolve("clips"), 64, 48, 16);
    }

    @BeforeEach
    void ready() {
        awaitReady();
    }

    @AfterEach
    void unscript() {
        ScriptedScheduler.reply = null;
    }

    Response postJson(String path, String body) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    String upload(Path file, String filename, String contentType) throws Exception {
        Response r = uploadRaw(Files.readAllBytes(file), filename, contentType);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asText();
    }

    Response uploadRaw(byte[] bytes, String filename, String contentType) {
        String boundary = "b" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nvision\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\nContent-Type: "
                + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + bytes.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(bytes, 0, body, head.length, bytes.length);
        System.arraycopy(tail, 0, body, head.length + bytes.length, tail.length);
        return send(request("/v1/files").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static String chatBody(String fileId, String question, boolean stream, String extra) {
        return """
                {"model": "gpt4video-demo", "stream": %s, "max_tokens": 12, "temperature": 0, %s
                 "messages": [{"role": "user", "content": [
                   {"type": "video_url", "video_url": {"url": "%s"}},
                   {"type": "text", "text": "%s"}]}]}""".formatted(stream, extra, fileId, question);
    }

    @Test
    void uploadedVideoIsProbedAndAnsweredAbout() throws Exception {
        String id = upload(clip, "clip.mp4", "video/mp4");
        Response file = get("/v1/files/" + id);
        assertThat(file.json().path("object").asText()).isEqualTo("file");
        assertThat(file.json().path("video").path("width").asInt()).isEqualTo(64);
        assertThat(file.json().path("video").path("frames").asInt()).isEqualTo(16);
        assertThat(file.json().path("safety").path("stage").asText()).isEqualTo("input_video");

        Response r = postJson("/v1/chat/completions", chatBody(id, "What happens in this video?", false, ""));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode c = r.json();
        assertThat(c.path("object").asText()).isEqualTo("chat.completion");
        assertThat(c.path("choices").get(0).path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(c.path("choices").get(0).path("finish_reason").asText()).isIn("stop", "length");
        // The demo abstractor gives 5 embedding rows per video; they count as prompt tokens.
        assertThat(c.path("usage").path("prompt_tokens").asInt()).isGreaterThan(5);
        assertThat(c.path("usage").path("completion_tokens").asInt()).isBetween(1, 12);

        // Same question again: greedy, so the same answer (and the embeddings come from the cache).
        Response again = postJson("/v1/chat/completions", chatBody(id, "What happens in this video?", false, ""));
        assertThat(again.json().path("choices").get(0).path("message").path("content").asText())
                .isEqualTo(c.path("choices").get(0).path("message").path("content").asText());
        assertThat(get("/actuator/prometheus").body()).contains("gpt4video_video_encode_cache_hits_total");
    }

    @Test
    void replyWithAVideoSpanGeneratesADownloadableMp4() throws Exception {
        String id = upload(clip, "clip.mp4", "video/mp4");
        ScriptedScheduler.reply = "Here you go: <video> a red kite over a sunny beach </video> Enjoy!";
        Response r = postJson("/v1/chat/completions", chatBody(id, "Make me a kite video", false, "\"wait_for_videos\": true,"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode c = r.json();
        assertThat(c.path("choices").get(0).path("message").path("content").asText()).isEqualTo("Here you go:  Enjoy!");
        JsonNode video = c.path("videos").get(0);
        assertThat(video.path("prompt").asText()).isEqualTo("a red kite over a sunny beach");
        assertThat(video.path("status").asText()).isEqualTo("completed");
        assertThat(video.path("model").asText()).isEqualTo("zeroscope-v2"); // the demo's tiny random ZeroScope
        assertThat(video.path("placeholder").asBoolean()).isFalse();
        var mp4 = http.send(request(video.path("url").asText()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(mp4.statusCode()).isEqualTo(200);
        assertThat(new String(mp4.body(), 4, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");
    }

    @Test
    void streamingSendsChunksVideoEventsAndDone() throws Exception {
        String id = upload(clip, "clip.mp4", "video/mp4");
        ScriptedScheduler.reply = "Sure. <video> waves rolling onto a beach </video>";
        var response = http.send(request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(id, "Show waves", true,
                        "\"stream_options\": {\"include_usage\": true},"))).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<JsonNode> chunks = new ArrayList<>();
        List<String> lines = response.body().toList();
        StringBuilder content = new StringBuilder();
        List<String> videoEvents = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                JsonNode chunk = json.readTree(line.substring(6));
                chunks.add(chunk);
                if (chunk.has("video_event")) {
                    videoEvents.add(chunk.get("video_event").asText());
                }
                JsonNode choices = chunk.path("choices");
                if (choices.size() > 0) {
                    content.append(choices.get(0).path("delta").path("content").asText(""));
                }
            }
        }
        assertThat(lines).contains("data: [DONE]");
        assertThat(lines.get(lines.size() - 2)).isEqualTo("data: [DONE]");
        assertThat(chunks.get(0).path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(chunks.get(0).path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
        assertThat(content.toString()).isEqualTo("Sure. ");
        assertThat(videoEvents).startsWith("video.queued").contains("video.completed");
        JsonNode last = chunks.get(chunks.size() - 1);
        assertThat(last.path("usage").path("total_tokens").asInt()).isPositive();
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(finish.path("videos").get(0).path("status").asText()).isEqualTo("completed");
    }

    @Test
    void errorPathsAnswerWithCodes() throws Exception {
        Response unknownModel = postJson("/v1/chat/completions",
                "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertThat(unknownModel.status()).isEqualTo(404);
        assertThat(unknownModel.json().path("error").path("code").asText()).isEqualTo("model_not_found");

        Response noMessages = postJson("/v1/chat/completions", "{\"messages\": []}");
        assertThat(noMessages.status()).isEqualTo(400);
        assertThat(noMessages.json().path("error").path("message").asText()).startsWith("messages:");

        Response badTemp = postJson("/v1/chat/completions",
                "{\"temperature\": \"hot\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        assertThat(badTemp.status()).isEqualTo(400);
        assertThat(badTemp.json().path("error").path("code").asText()).isEqualTo("invalid_request");

        Response missingFile = postJson("/v1/chat/completions", chatBody("file-000000000000000000000000", "hi", false, ""));
        assertThat(missingFile.status()).isEqualTo(404);
        assertThat(missingFile.json().path("error").path("code").asText()).isEqualTo("not_found");

        Response remote = postJson("/v1/chat/completions", chatBody("https://example.com/v.mp4", "hi", false, ""));
        assertThat(remote.status()).isEqualTo(400);

        Response serverPath = postJson("/v1/chat/completions", chatBody(clip.toString(), "hi", false, ""));
        assertThat(serverPath.status()).isEqualTo(400);
        assertThat(serverPath.json().path("error").path("message").asText()).contains("video-dirs");

        Response notVideo = uploadRaw("just text".getBytes(StandardCharsets.UTF_8), "notes.txt", "text/plain");
        assertThat(notVideo.status()).isEqualTo(415);
        assertThat(notVideo.json().path("error").path("code").asText()).isEqualTo("unsupported_media_type");

        byte[] junk = new byte[4096];
        new java.util.Random(1).nextBytes(junk);
        Response corrupt = uploadRaw(junk, "broken.mp4", "video/mp4");
        assertThat(corrupt.status()).isIn(415, 422); // random bytes: not a video (415) or a broken one (422)
        assertThat(corrupt.json().path("error").path("code").asText()).isIn("unsupported_media_type", "video_decode_failed");

        Response tooBig = uploadRaw(new byte[300_000], "big.mp4", "video/mp4");
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.json().path("error").path("code").asText()).isEqualTo("payload_too_large");

        Response deleted = send(request("/v1/files/file-000000000000000000000000").DELETE());
        assertThat(deleted.status()).isEqualTo(404);

        Response badPrompt = postJson("/v1/completions", "{\"prompt\": [1, 999999]}");
        assertThat(badPrompt.status()).isEqualTo(400);
        assertThat(badPrompt.json().path("error").path("message").asText()).startsWith("prompt:");
    }

    @Test
    void disconnectingCancelsGenerationAndFreesTheSequence() throws Exception {
        var response = http.send(request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"stream": true, "max_tokens": 1500, "ignore_eos": true,
                         "messages": [{"role": "user", "content": "Tell me a very long story."}]}""")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (var in = response.body()) {
            var reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            int chunks = 0;
            for (String line; (line = reader.readLine()) != null && chunks < 5; ) {
                if (line.startsWith("data: {")) {
                    chunks++;
                }
            }
            assertThat(chunks).isEqualTo(5);
            assertThat(gauge("gpt4video_num_requests_running")).isEqualTo(1.0);
        } // closing the stream drops the connection
        org.awaitility.Awaitility.await("sequence freed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> gauge("gpt4video_num_requests_running") == 0.0 && gauge("gpt4video_kv_cache_usage_perc") == 0.0);
    }

    double gauge(String name) {
        for (String line : get("/actuator/prometheus").body().split("\n")) {
            if (line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no metric " + name);
    }
}
