package dev.gpt4video.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.generate.GeneratedToken;
import dev.gpt4video.llm.generate.GenerationHandle;
import dev.gpt4video.llm.generate.GenerationRequest;
import dev.gpt4video.llm.generate.GenerationResult;
import dev.gpt4video.llm.generate.TokenListener;
import dev.gpt4video.llm.generate.TokenLogprob;
import dev.gpt4video.llm.llama.Segment;
import dev.gpt4video.server.error.ErrorBody;
import dev.gpt4video.server.metrics.ServerMetrics;
import dev.gpt4video.server.models.ModelRegistry;
import dev.gpt4video.server.serving.ServingModel;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v1/completions}, the legacy OpenAI shape: {@code prompt} as a string (BOS added) or
 * as an array of token ids (used as given), {@code echo}, {@code logprobs} (0–5 alternatives). The
 * choice also carries {@code token_ids} (an extension), so tools that tokenize themselves, and
 * parity checks, see exactly which ids were generated.
 */
@RestController
public class CompletionsController {
    private final ModelRegistry registry;
    private final ObjectMapper json;
    private final ServerMetrics metrics;

    public CompletionsController(ModelRegistry registry, ObjectMapper json, ServerMetrics metrics) {
        this.registry = registry;
        this.json = json;
        this.metrics = metrics;
    }

    @PostMapping(value = "/v1/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    public void complete(@RequestBody JsonNode body, HttpServletResponse response) throws IOException {
        ServingModel serving = registry.serving();
        if (body == null || !body.isObject()) {
            throw ChatRequest.invalid("body", "expected a JSON object");
        }
        ChatCompletionsController.checkModel(serving, body.path("model").asText(null));
        LanguageEngine engine = serving.language()
                .orElseThrow(() -> new Gpt4VideoException(ErrorCode.NOT_READY, "this server has no language model loaded"));
        int[] promptIds = promptIds(body.get("prompt"), engine);
        boolean echo = body.path("echo").asBoolean(false);
        Integer logprobs = ChatRequest.optInt(body, "logprobs");
        if (logprobs != null && (logprobs < 0 || logprobs > 5)) {
            throw ChatRequest.invalid("logprobs", "must be between 0 and 5");
        }
        Integer maxTokens = ChatRequest.optInt(body, "max_tokens");
        Double temperature = ChatRequest.optDouble(body, "temperature");
        Double topP = ChatRequest.optDouble(body, "top_p");
        Integer topK = ChatRequest.optInt(body, "top_k");
        GenerationRequest request = GenerationRequest.builder(List.of(Segment.tokens(promptIds)))
                .maxTokens(maxTokens == null ? 16 : maxTokens)
                .temperature(temperature == null ? 1.0 : temperature)
                .topP(topP == null ? 1.0 : topP)
                .topK(topK == null ? 0 : topK)
                .seed(ChatRequest.optLong(body, "seed"))
                .stopStrings(ChatRequest.stops(body.get("stop")))
                .logprobs(logprobs)
                .build();
        OpenAiJson shapes = new OpenAiJson(json, engine.tokenizer());
        String id = "cmpl-" + java.util.UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        long start = System.nanoTime();
        String prefix = echo ? engine.tokenizer().decode(promptIds) : "";

        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        GenerationHandle handle = engine.scheduler().submit(request, new TokenListener() {
            @Override
            public void onToken(GeneratedToken token) {
                events.add(token);
            }

            @Override
            public void onComplete(GenerationResult result) {
                events.add(result);
            }

            @Override
            public void onError(Gpt4VideoException error) {
                events.add(error);
            }
        });
        boolean stream = body.path("stream").asBoolean(false);
        OutputStream os = null;
        if (stream) {
            response.setStatus(200);
            response.setContentType("text/event-stream");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-cache");
            os = response.getOutputStream();
            write(os, ": keep-alive\n\n");
            if (!prefix.isEmpty()) {
                write(os, "data: " + chunk(id, created, serving.id(), prefix, null, null) + "\n\n");
            }
        }
        try {
            while (true) {
                Object e;
                try {
                    e = events.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new Gpt4VideoException(ErrorCode.CANCELLED, "interrupted");
                }
                if (e == null) {
                    if (stream) {
                        write(os, ": keep-alive\n\n");
                    }
                    continue;
                }
                if (e instanceof Gpt4VideoException g) {
                    throw g;
                }
                if (e instanceof GeneratedToken t && stream) {
                    ObjectNode lp = logprobs == null ? null : legacyLogprobs(shapes, List.of(t), 0);
                    write(os, "data: " + chunk(id, created, serving.id(), t.text(), lp, null) + "\n\n");
                }
                if (e instanceof GenerationResult r) {
                    metrics.requestFinished(System.nanoTime() - start, r.usage().promptTokens(),
                            r.usage().completionTokens(), "completions", r.finishReason().wireName());
                    if (stream) {
                        ObjectNode last = chunk(id, created, serving.id(), "", null, r.finishReason().wireName());
                        ((ObjectNode) last.get("choices").get(0)).set("token_ids", json.valueToTree(r.tokenIds()));
                        write(os, "data: " + last + "\n\n");
                        write(os, "data: [DONE]\n\n");
                    } else {
                        writeResult(response, shapes, id, created, serving.id(), prefix, r, logprobs, promptIds);
                    }
                    return;
                }
            }
        } catch (IOException clientGone) {
            handle.cancel();
        } catch (Gpt4VideoException g) {
            handle.cancel();
            if (!stream) {
                throw g;
            }
            write(os, "data: " + json.valueToTree(ErrorBody.of(g.code(), g.getMessage(), null)) + "\n\n");
            write(os, "data: [DONE]\n\n");
        } finally {
            if (!handle.isDone()) {
                handle.cancel();
            }
        }
    }

    static int[] promptIds(JsonNode prompt, LanguageEngine engine) {
        if (prompt == null || prompt.isNull()) {
            throw ChatRequest.invalid("prompt", "is required");
        }
        if (prompt.isTextual()) {
            return engine.tokenizer().encode(prompt.asText(), true, false);
        }
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            return engine.tokenizer().encode(prompt.get(0).asText(), true, false);
        }
        if (prompt.isArray() && !prompt.isEmpty()) {
            int[] ids = new int[prompt.size()];
            int vocab = engine.model().config().vocabSize();
            for (int i = 0; i < ids.length; i++) {
                JsonNode n = prompt.get(i);
                if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() >= vocab) {
                    throw ChatRequest.invalid("prompt", "token ids must be integers in [0, " + vocab + "); element "
                            + i + " is " + n);
                }
                ids[i] = n.asInt();
            }
            return ids;
        }
        throw ChatRequest.invalid("prompt", "must be a string or a non-empty array of token ids");
    }

    private ObjectNode chunk(String id, long created, String model, String text, ObjectNode logprobs, String finish) {
        ObjectNode c = json.createObjectNode();
        c.put("id", id).put("object", "text_completion").put("created", created).put("model", model);
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0).put("text", text);
        choice.set("logprobs", logprobs);
        choice.put("finish_reason", finish);
        return c;
    }

    /** The legacy logprobs object: parallel arrays of tokens, their logprobs, alternatives and offsets. */
    private ObjectNode legacyLogprobs(OpenAiJson shapes, List<GeneratedToken> tokens, int offset) {
        ObjectNode lp = json.createObjectNode();
        ArrayNode toks = lp.putArray("tokens");
        ArrayNode values = lp.putArray("token_logprobs");
        ArrayNode top = lp.putArray("top_logprobs");
        ArrayNode offsets = lp.putArray("text_offset");
        int at = offset;
        for (GeneratedToken t : tokens) {
            String s = shapes.tokenText(t.id());
            toks.add(s);
            values.add(t.logprob());
            ObjectNode alts = top.addObject();
            for (TokenLogprob alt : t.topLogprobs()) {
                alts.put(shapes.tokenText(alt.id()), alt.logprob());
            }
            offsets.add(at);
            at += t.text().length();
        }
        return lp;
    }

    private void writeResult(HttpServletResponse response, OpenAiJson shapes, String id, long created, String model,
                             String prefix, GenerationResult r, Integer logprobs, int[] promptIds) throws IOException {
        ObjectNode root = chunk(id, created, model, prefix + r.text(),
                logprobs == null ? null : legacyLogprobs(shapes, r.tokens(), prefix.length()), r.finishReason().wireName());
        ObjectNode choice = (ObjectNode) root.get("choices").get(0);
        choice.set("token_ids", json.valueToTree(r.tokenIds()));
        root.set("usage", shapes.usage(r.usage().promptTokens(), r.usage().completionTokens()));
        response.setStatus(200);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        json.writeValue(response.getOutputStream(), root);
    }

    private static void write(OutputStream os, String s) throws IOException {
        os.write(s.getBytes(StandardCharsets.UTF_8));
        os.flush();
    }
}
