package dev.gpt4video.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Videos API end to end on the placeholder backend: create, poll, download with Range, delete. */
class VideosApiTest extends RunningServerTest {

    @BeforeEach
    void ready() {
        awaitReady();
    }

    Response post(String path, String body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void createPollDownloadAndDelete() {
        Response created = post("/v1/videos", """
                {"model": "placeholder", "prompt": "a red kite over a beach", "size": "64x48", "seconds": "1", "fps": 8, "seed": 3}""");
        assertThat(created.status()).isEqualTo(200);
        JsonNode video = created.json();
        String id = video.path("id").asText();
        assertThat(id).startsWith("video_");
        assertThat(video.path("object").asText()).isEqualTo("video");
        assertThat(video.path("model").asText()).isEqualTo("placeholder");
        assertThat(video.path("placeholder").asBoolean()).isTrue();
        assertThat(video.path("size").asText()).isEqualTo("64x48");
        assertThat(video.path("status").asText()).isIn("queued", "in_progress", "completed");

        await("video completed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/v1/videos/" + id).json().path("status").asText().equals("completed"));
        JsonNode done = get("/v1/videos/" + id).json();
        assertThat(done.path("progress").asInt()).isEqualTo(100);
        assertThat(done.path("url").asText()).isEqualTo("/v1/videos/" + id + "/content");
        assertThat(done.path("seconds").asText()).isEqualTo("1.00");

        var full = sendBytes(request("/v1/videos/" + id + "/content").GET());
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(full.headers().firstValue("Content-Type")).hasValue("video/mp4");
        byte[] mp4 = full.body();
        assertThat(new String(mp4, 4, 4)).isEqualTo("ftyp");

        var part = sendBytes(request("/v1/videos/" + id + "/content").header("Range", "bytes=4-7").GET());
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(new String(part.body())).isEqualTo("ftyp");
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 4-7/" + mp4.length);

        var poster = sendBytes(request("/v1/videos/" + id + "/content?variant=thumbnail").GET());
        assertThat(poster.statusCode()).isEqualTo(200);
        assertThat(ByteBuffer.wrap(poster.body(), 0, 4).getInt()).isEqualTo(0x89504E47); // PNG signature

        assertThat(get("/v1/videos").json().path("data").findValuesAsText("id")).contains(id);

        Response deleted = send(request("/v1/videos/" + id).DELETE());
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().path("deleted").asBoolean()).isTrue();
        Response gone = get("/v1/videos/" + id);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("error").path("code").asText()).isEqualTo("not_found");
    }

    @Test
    void theDemoBundlesZeroScopeIsTheDefaultBackend() {
        Response created = post("/v1/videos", "{\"prompt\": \"a paper boat on a pond\", \"seed\": 7}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String id = created.json().path("id").asText();
        assertThat(created.json().path("model").asText()).isEqualTo("zeroscope-v2");
        assertThat(created.json().path("placeholder").asBoolean()).isFalse();
        await("video completed").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/v1/videos/" + id).json().path("status").asText().equals("completed"));
        JsonNode done = get("/v1/videos/" + id).json();
        assertThat(done.path("metadata").path("backend").asText()).isEqualTo("zeroscope-v2");
        assertThat(done.path("metadata").path("seed").asLong()).isEqualTo(7);
        assertThat(sendBytes(request("/v1/videos/" + id + "/content").GET()).body().length).isGreaterThan(100);
    }

    @Test
    void badRequestsGetCodedErrors() {
        Response noPrompt = post("/v1/videos", "{\"size\": \"64x48\"}");
        assertThat(noPrompt.status()).isEqualTo(400);
        assertThat(noPrompt.json().path("error").path("code").asText()).isEqualTo("invalid_request");

        Response badSize = post("/v1/videos", "{\"prompt\": \"x\", \"size\": \"huge\"}");
        assertThat(badSize.status()).isEqualTo(400);
        assertThat(badSize.json().path("error").path("message").asText()).startsWith("size:");

        Response unknown = post("/v1/videos", "{\"prompt\": \"x\", \"model\": \"sora-2\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").path("code").asText()).isEqualTo("model_not_found");

        Response missing = get("/v1/videos/video_000000000000000000000000/content");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("error").path("code").asText()).isEqualTo("not_found");
    }

    java.net.http.HttpResponse<byte[]> sendBytes(HttpRequest.Builder b) {
        try {
            return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
