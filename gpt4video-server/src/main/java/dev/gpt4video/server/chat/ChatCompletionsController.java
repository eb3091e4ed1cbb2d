package dev.gpt4video.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.server.error.ErrorBody;
import dev.gpt4video.server.models.ModelRegistry;
import dev.gpt4video.server.serving.ServingModel;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code POST /v1/chat/completions}, OpenAI-compatible, with videos as {@code video_url} content
 * parts. {@code stream: true} answers with server-sent events; a client that goes away cancels its
 * generation (and its videos) at the next write.
 */
@RestController
public class ChatCompletionsController {
    private static final Logger log = LoggerFactory.getLogger(ChatCompletionsController.class);

    private final ModelRegistry registry;
    private final ChatService chat;
    private final VideoResolver videos;
    private final ObjectMapper json;

    public ChatCompletionsController(ModelRegistry registry, ChatService chat, VideoResolver videos, ObjectMapper json) {
        this.registry = registry;
        this.chat = chat;
        this.videos = videos;
        this.json = json;
    }

    @PostMapping(value = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    public void complete(@RequestBody JsonNode body, HttpServletResponse response) throws IOException {
        ServingModel serving = registry.serving();
        ChatRequest request = ChatRequest.parse(body, videos::resolve);
        checkModel(serving, request.model());
        LanguageEngine engine = serving.language()
                .orElseThrow(() -> new Gpt4VideoException(ErrorCode.NOT_READY, "this server has no language model loaded"));
        OpenAiJson shapes = new OpenAiJson(json, engine.tokenizer());
        long created = System.currentTimeMillis() / 1000;
        Cancellation cancel = new Cancellation();
        if (!request.stream()) {
            CollectingChatOutput out = new CollectingChatOutput();
            ChatSummary s = chat.run(serving, request.call(), out, cancel);
            writeJson(response, completion(shapes, s, out, created, serving.id()));
            return;
        }
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        OutputStream os = response.getOutputStream();
        String id = "chatcmpl-" + java.util.UUID.randomUUID().toString().replace("-", "");
        SseChatOutput out = new SseChatOutput(os, shapes, id, created, serving.id(), request.includeUsage());
        try {
            chat.run(serving, request.call(), out, cancel);
        } catch (IOException clientGone) {
            cancel.cancel();
            log.debug("chat stream {}: client went away; generation cancelled", id);
        } catch (Gpt4VideoException e) {
            cancel.cancel();
            if (!response.isCommitted()) {
                // Nothing streamed yet (a full queue, a bad video): answer with a plain JSON error and its status.
                response.reset();
                throw e;
            }
            try {
                out.error(json.valueToTree(ErrorBody.of(e.code(), e.getMessage(), null)));
            } catch (IOException ignored) {
                // Client gone as well.
            }
        }
    }

    static void checkModel(ServingModel serving, String model) {
        if (model != null && !model.isBlank() && !model.equals(serving.id())) {
            throw new Gpt4VideoException(ErrorCode.MODEL_NOT_FOUND, "The model '" + model + "' does not exist; this server has '"
                    + serving.id() + "'");
        }
    }

    private ObjectNode completion(OpenAiJson shapes, ChatSummary s, CollectingChatOutput out, long created, String model) {
        ObjectNode root = json.createObjectNode();
        root.put("id", s.id()).put("object", "chat.completion").put("created", created).put("model", model)
                .put("system_fingerprint", "gpt4video");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant").put("content", s.content());
        message.put("refusal", s.refusal());
        if (!out.tokens.isEmpty() && !Float.isNaN(out.tokens.get(0).logprob())) {
            choice.putObject("logprobs").set("content", shapes.logprobContent(out.tokens));
        } else {
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", s.finishReason());
        root.set("usage", shapes.usage(s.promptTokens(), s.completionTokens()));
        root.set("videos", shapes.videos(s.videos()));
        return root;
    }

    private void writeJson(HttpServletResponse response, ObjectNode body) throws IOException {
        response.setStatus(200);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        json.writeValue(response.getOutputStream(), body);
    }
}
