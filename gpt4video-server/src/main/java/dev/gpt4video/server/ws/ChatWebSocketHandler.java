package dev.gpt4video.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.generate.GeneratedToken;
import dev.gpt4video.server.chat.ChatOutput;
import dev.gpt4video.server.chat.ChatRequest;
import dev.gpt4video.server.chat.ChatService;
import dev.gpt4video.server.chat.ChatSummary;
import dev.gpt4video.server.chat.VideoResolver;
import dev.gpt4video.server.error.ErrorBody;
import dev.gpt4video.server.models.ModelRegistry;
import dev.gpt4video.server.serving.ServingModel;
import dev.gpt4video.server.videos.VideoObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.handler.TextWebSocketHandler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code /v1/chat/stream}: one socket carries a whole multi-turn conversation. Client frames are
 * JSON {@code {"type":"message", "content": <string or OpenAI content parts>, ...sampling fields}},
 * {@code {"type":"cancel"}}, {@code {"type":"reset"}} and {@code {"type":"ping"}}. Server frames:
 * {@code token}, {@code video.queued|started|progress|completed|failed|cancelled}, {@code refusal},
 * {@code done}, {@code error}, {@code pong}. The server also sends WebSocket pings every 15 s.
 */
@Component
public class ChatWebSocketHandler extends TextWebSocketHandler {
    private static final Logger log = LoggerFactory.getLogger(ChatWebSocketHandler.class);
    private static final int SEND_TIMEOUT_MS = 10_000;
    private static final int BUFFER_LIMIT = 4 << 20;

    private final ModelRegistry registry;
    private final ChatService chat;
    private final VideoResolver videos;
    private final ObjectMapper json;
    private final Map<String, Conversation> conversations = new ConcurrentHashMap<>();
    private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("ws-ping").unstarted(r));

    public ChatWebSocketHandler(ModelRegistry registry, ChatService chat, VideoResolver videos, ObjectMapper json) {
        this.registry = registry;
        this.chat = chat;
        this.videos = videos;
        this.json = json;
        pinger.scheduleWithFixedDelay(this::pingAll, 15, 15, TimeUnit.SECONDS);
    }

    /** One socket's state: the history in OpenAI message form and the turn in progress, if any. */
    private static final class Conversation {
        final WebSocketSession session;
        final ArrayNode history;
        /** The running turn's cancellation, null between turns. */
        final java.util.concurrent.atomic.AtomicReference<Cancellation> running = new java.util.concurrent.atomic.AtomicReference<>();

        Conversation(WebSocketSession session, ArrayNode history) {
            this.session = session;
            this.history = history;
        }
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        WebSocketSession safe = new ConcurrentWebSocketSessionDecorator(session, SEND_TIMEOUT_MS, BUFFER_LIMIT);
        conversations.put(session.getId(), new Conversation(safe, json.createArrayNode()));
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Conversation c = conversations.remove(session.getId());
        Cancellation running = c == null ? null : c.running.get();
        if (running != null) {
            running.cancel();
        }
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        Conversation c = conversations.get(session.getId());
        if (c == null) {
            return;
        }
        JsonNode frame;
        try {
            frame = json.readTree(message.getPayload());
        } catch (IOException e) {
            sendError(c, new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "frame: not valid JSON"));
            return;
        }
        String type = frame.path("type").asText("");
        switch (type) {
            case "message" -> startTurn(c, frame);
            case "cancel" -> {
                Cancellation running = c.running.get();
                if (running != null) {
                    running.cancel();
                }
            }
            case "reset" -> {
                synchronized (c.history) {
                    c.history.removeAll();
                }
                send(c, json.createObjectNode().put("type", "reset"));
            }
            case "ping" -> send(c, json.createObjectNode().put("type", "pong"));
            default -> sendError(c, new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                    "type: expected message, cancel, reset or ping, got '" + type + "'"));
        }
    }

    private void startTurn(Conversation c, JsonNode frame) {
        Cancellation cancel = new Cancellation();
        if (!c.running.compareAndSet(null, cancel)) {
            sendError(c, new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "a reply is still being generated; send cancel first"));
            return;
        }
        Thread.ofVirtual().name("ws-turn-" + c.session.getId()).start(() -> {
            try {
                runTurn(c, frame, cancel);
            } finally {
                c.running.compareAndSet(cancel, null);
            }
        });
    }

    private void runTurn(Conversation c, JsonNode frame, Cancellation cancel) {
        try {
            ServingModel serving = registry.serving();
            ObjectNode user = json.createObjectNode().put("role", "user");
            user.set("content", pinVideos(frame.get("content")));
            ObjectNode body = frame.deepCopy();
            body.remove(List.of("type", "content"));
            ArrayNode messages;
            synchronized (c.history) {
                messages = c.history.deepCopy();
            }
            messages.add(user);
            body.set("messages", messages);
            ChatRequest request = ChatRequest.parse(body, videos::resolve);
            // The turn is recorded and the socket freed before "done" goes out, so a client may
            // send its next message the moment it sees "done".
            chat.run(serving, request.call(), new SocketOutput(c, summary -> {
                synchronized (c.history) {
                    c.history.add(user);
                    c.history.add(json.createObjectNode().put("role", "assistant").put("content", summary.content()));
                }
                c.running.compareAndSet(cancel, null);
            }), cancel);
        } catch (Gpt4VideoException e) {
            c.running.compareAndSet(cancel, null);
            sendError(c, e);
        } catch (IOException e) {
            cancel.cancel();
            log.debug("websocket {}: send failed, turn cancelled", c.session.getId());
        } catch (RuntimeException e) {
            log.error("websocket {}: turn failed", c.session.getId(), e);
            c.running.compareAndSet(cancel, null);
            sendError(c, new Gpt4VideoException(ErrorCode.INTERNAL, "internal error"));
        }
    }

    /** Stores {@code data:} videos once, so the history refers to them by file id on later turns. */
    private JsonNode pinVideos(JsonNode content) {
        if (content == null || !content.isArray()) {
            return content;
        }
        ArrayNode copy = content.deepCopy();
        for (JsonNode part : copy) {
            if ("video_url".equals(part.path("type").asText()) && part.path("video_url").path("url").asText("").startsWith("data:")) {
                java.nio.file.Path stored = videos.resolve(part.path("video_url").path("url").asText());
                ((ObjectNode) part.path("video_url")).put("url", stored.getParent().getFileName().toString());
            }
        }
        return copy;
    }

    private final class SocketOutput implements ChatOutput {
        private final Conversation c;
        private final java.util.function.Consumer<ChatSummary> beforeDone;

        SocketOutput(Conversation c, java.util.function.Consumer<ChatSummary> beforeDone) {
            this.c = c;
            this.beforeDone = beforeDone;
        }

        @Override
        public void text(String delta, List<GeneratedToken> tokens) throws IOException {
            if (!delta.isEmpty()) {
                sendOrThrow(c, json.createObjectNode().put("type", "token").put("text", delta));
            }
        }

        @Override
        public void video(String event, VideoObject video) throws IOException {
            ObjectNode f = json.createObjectNode().put("type", event);
            f.set("video", json.valueToTree(video));
            sendOrThrow(c, f);
        }

        @Override
        public void refusal(String stage, String message, List<String> categories) throws IOException {
            ObjectNode f = json.createObjectNode().put("type", "refusal").put("stage", stage).put("message", message);
            f.set("categories", json.valueToTree(categories));
            sendOrThrow(c, f);
        }

        @Override
        public void keepAlive() throws IOException {
            if (!c.session.isOpen()) {
                throw new IOException("socket closed");
            }
        }

        @Override
        public void finished(ChatSummary s) throws IOException {
            beforeDone.accept(s);
            ObjectNode f = json.createObjectNode().put("type", "done").put("id", s.id())
                    .put("finish_reason", s.finishReason()).put("content", s.content());
            f.put("refusal", s.refusal());
            f.putObject("usage").put("prompt_tokens", s.promptTokens()).put("completion_tokens", s.completionTokens())
                    .put("total_tokens", s.promptTokens() + s.completionTokens());
            f.set("videos", json.valueToTree(s.videos()));
            sendOrThrow(c, f);
        }
    }

    private void sendError(Conversation c, Gpt4VideoException e) {
        ObjectNode f = json.createObjectNode().put("type", "error");
        f.set("error", json.valueToTree(ErrorBody.of(e.code(), e.getMessage(), null).error()));
        send(c, f);
    }

    private void send(Conversation c, ObjectNode frame) {
        try {
            sendOrThrow(c, frame);
        } catch (IOException e) {
            log.debug("websocket {}: send failed: {}", c.session.getId(), e.toString());
        }
    }

    private void sendOrThrow(Conversation c, ObjectNode frame) throws IOException {
        if (!c.session.isOpen()) {
            throw new IOException("socket closed");
        }
        c.session.sendMessage(new TextMessage(frame.toString()));
    }

    private void pingAll() {
        for (Conversation c : conversations.values()) {
            try {
                if (c.session.isOpen()) {
                    c.session.sendMessage(new PingMessage(ByteBuffer.wrap(new byte[] {'g', '4', 'v'})));
                }
            } catch (IOException | RuntimeException e) {
                log.debug("websocket {}: ping failed", c.session.getId());
            }
        }
    }
}
