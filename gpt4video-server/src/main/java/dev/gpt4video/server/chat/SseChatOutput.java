package dev.gpt4video.server.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpt4video.llm.generate.GeneratedToken;
import dev.gpt4video.server.videos.VideoObject;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Streams a turn as OpenAI chat-completion chunks over server-sent events, ending with
 * {@code data: [DONE]}. Videos ride on chunks as the extension fields {@code video_event} and
 * {@code videos}; a comment line keeps proxies from timing out while nothing else is sent.
 */
final class SseChatOutput implements ChatOutput {
    private final OutputStream out;
    private final OpenAiJson shapes;
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private boolean roleSent;

    SseChatOutput(OutputStream out, OpenAiJson shapes, String id, long created, String model, boolean includeUsage) {
        this.out = out;
        this.shapes = shapes;
        this.id = id;
        this.created = created;
        this.model = model;
        this.includeUsage = includeUsage;
    }

    @Override
    public void text(String delta, List<GeneratedToken> tokens) throws IOException {
        ObjectNode chunk = shapes.chunk(id, created, model);
        ObjectNode choice = shapes.choice(chunk);
        ObjectNode d = (ObjectNode) choice.get("delta");
        role(d);
        d.put("content", delta);
        if (!tokens.isEmpty() && !Float.isNaN(tokens.get(0).logprob())) {
            choice.putObject("logprobs").set("content", shapes.logprobContent(tokens));
        }
        send(chunk);
    }

    private void role(ObjectNode delta) {
        if (!roleSent) {
            delta.put("role", "assistant");
            roleSent = true;
        }
    }

    @Override
    public void video(String event, VideoObject video) throws IOException {
        ObjectNode chunk = shapes.chunk(id, created, model);
        role((ObjectNode) shapes.choice(chunk).get("delta"));
        chunk.put("video_event", event);
        chunk.set("videos", shapes.videos(List.of(video)));
        send(chunk);
    }

    @Override
    public void refusal(String stage, String message, List<String> categories) throws IOException {
        ObjectNode chunk = shapes.chunk(id, created, model);
        ObjectNode d = (ObjectNode) shapes.choice(chunk).get("delta");
        role(d);
        d.put("refusal", message);
        ObjectNode r = chunk.putObject("safety");
        r.put("stage", stage);
        r.set("categories", shapes.mapper().valueToTree(categories));
        send(chunk);
    }

    @Override
    public void keepAlive() throws IOException {
        write(": keep-alive\n\n");
    }

    @Override
    public void finished(ChatSummary summary) throws IOException {
        ObjectNode chunk = shapes.chunk(id, created, model);
        ObjectNode choice = shapes.choice(chunk);
        role((ObjectNode) choice.get("delta"));
        choice.put("finish_reason", summary.finishReason());
        chunk.set("videos", shapes.videos(summary.videos()));
        send(chunk);
        if (includeUsage) {
            ObjectNode usage = shapes.chunk(id, created, model);
            usage.putArray("choices");
            usage.set("usage", shapes.usage(summary.promptTokens(), summary.completionTokens()));
            send(usage);
        }
        write("data: [DONE]\n\n");
    }

    /** An error after the stream started: OpenAI-style error object, then the end marker. */
    void error(ObjectNode errorBody) throws IOException {
        write("data: " + errorBody + "\n\n");
        write("data: [DONE]\n\n");
    }

    private void send(ObjectNode chunk) throws IOException {
        write("data: " + chunk + "\n\n");
    }

    private void write(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
