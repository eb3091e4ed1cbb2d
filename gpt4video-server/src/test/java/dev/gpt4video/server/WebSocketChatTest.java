package dev.gpt4video.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /v1/chat/stream} with a real WebSocket client: multi-turn, video events, cancel, ping/pong. */
class WebSocketChatTest extends RunningServerTest {

    @BeforeEach
    void ready() {
        awaitReady();
    }

    @AfterEach
    void unscript() {
        ScriptedScheduler.reply = null;
    }

    /** Collects text frames; answers nothing itself (the JDK client answers pings automatically). */
    static final class Frames implements WebSocket.Listener {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            ws.request(1);
            return WebSocket.Listener.super.onPing(ws, message);
        }
    }

    WebSocket connect(Frames frames) {
        return http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/chat/stream"), frames)
                .orTimeout(30, TimeUnit.SECONDS).join();
    }

    List<JsonNode> until(Frames frames, String type) throws Exception {
        List<JsonNode> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            String f = frames.frames.poll(1, TimeUnit.SECONDS);
            if (f == null) {
                continue;
            }
            JsonNode n = json.readTree(f);
            seen.add(n);
            if (n.path("type").asText().equals(type) || n.path("type").asText().equals("error")) {
                return seen;
            }
        }
        throw new AssertionError("no " + type + " frame; saw " + seen);
    }

    @Test
    void oneSocketCarriesAMultiTurnConversationWithVideos() throws Exception {
        Frames frames = new Frames();
        WebSocket ws = connect(frames);
        ws.sendText("{\"type\": \"ping\"}", true).join();
        assertThat(until(frames, "pong")).last().extracting(n -> n.path("type").asText()).isEqualTo("pong");

        ScriptedScheduler.reply = "A first answer.";
        ws.sendText("{\"type\": \"message\", \"content\": \"Hello there\", \"max_tokens\": 8}", true).join();
        List<JsonNode> turn1 = until(frames, "done");
        StringBuilder text = new StringBuilder();
        turn1.stream().filter(n -> n.path("type").asText().equals("token")).forEach(n -> text.append(n.path("text").asText()));
        assertThat(text.toString()).isEqualTo("A first answer.");
        JsonNode done1 = turn1.get(turn1.size() - 1);
        assertThat(done1.path("type").asText()).isEqualTo("done");
        int firstPrompt = done1.path("usage").path("prompt_tokens").asInt();

        ScriptedScheduler.reply = "Here: <video> a paper boat on a pond </video>";
        ws.sendText("{\"type\": \"message\", \"content\": \"Now make a video\", \"wait_for_videos\": true}", true).join();
        List<JsonNode> turn2 = until(frames, "done");
        List<String> types = turn2.stream().map(n -> n.path("type").asText()).toList();
        assertThat(types).contains("token", "video.queued", "video.completed");
        JsonNode done2 = turn2.get(turn2.size() - 1);
        assertThat(done2.path("videos").get(0).path("status").asText()).isEqualTo("completed");
        // The second turn's prompt holds the first exchange: the server kept the history.
        assertThat(done2.path("usage").path("prompt_tokens").asInt()).isGreaterThan(firstPrompt);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    /** The LLM writes the same caption; only the backend differs, so the gallery needs no change to the LLM. */
    @Test
    void theSameCaptionGoesToZeroScopeAndVideoCrafterInOneConversation() throws Exception {
        Frames frames = new Frames();
        WebSocket ws = connect(frames);
        ScriptedScheduler.reply = "Coming up: <video> a lighthouse in a storm </video>";
        List<JsonNode> videos = new ArrayList<>();
        for (String backend : new String[] {"zeroscope-v2", "videocrafter1"}) {
            ws.sendText("{\"type\": \"message\", \"content\": \"Show me a lighthouse\", \"wait_for_videos\": true,"
                    + " \"video_backend\": \"" + backend + "\"}", true).join();
            List<JsonNode> turn = until(frames, "done");
            JsonNode done = turn.get(turn.size() - 1);
            assertThat(done.path("type").asText()).as(turn.toString()).isEqualTo("done");
            videos.add(done.path("videos").get(0));
        }
        assertThat(videos).extracting(v -> v.path("model").asText()).containsExactly("zeroscope-v2", "videocrafter1");
        assertThat(videos).extracting(v -> v.path("prompt").asText()).containsOnly("a lighthouse in a storm");
        assertThat(videos).extracting(v -> v.path("status").asText()).containsOnly("completed");
        assertThat(videos.get(0).path("id").asText()).isNotEqualTo(videos.get(1).path("id").asText());
        for (JsonNode v : videos) {
            var mp4 = http.send(request(v.path("url").asText()).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(mp4.statusCode()).isEqualTo(200);
            assertThat(new String(mp4.body(), 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Test
    void cancelStopsARunningReply() throws Exception {
        Frames frames = new Frames();
        WebSocket ws = connect(frames);
        ws.sendText("{\"type\": \"message\", \"content\": \"A long story please\", \"max_tokens\": 1500, \"ignore_eos\": true}", true).join();
        // Wait for the first token, then cancel.
        until(frames, "token");
        ws.sendText("{\"type\": \"cancel\"}", true).join();
        List<JsonNode> rest = until(frames, "done");
        JsonNode done = rest.get(rest.size() - 1);
        assertThat(done.path("finish_reason").asText()).isEqualTo("cancelled");
        assertThat(done.path("usage").path("completion_tokens").asInt()).isLessThan(1500);

        ws.sendText("{\"type\": \"nonsense\"}", true).join();
        List<JsonNode> errors = until(frames, "error");
        JsonNode error = errors.get(errors.size() - 1);
        assertThat(error.path("error").path("code").asText()).isEqualTo("invalid_request");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }
}
