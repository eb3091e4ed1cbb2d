package dev.gpt4video.server.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpt4video.llm.generate.GeneratedToken;
import dev.gpt4video.llm.generate.TokenLogprob;
import dev.gpt4video.llm.tokenizer.Tokenizer;
import dev.gpt4video.server.videos.VideoObject;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds OpenAI-shaped JSON for chat completions, chunks and logprobs. */
final class OpenAiJson {
    private final ObjectMapper json;
    private final Tokenizer tokenizer;

    OpenAiJson(ObjectMapper json, Tokenizer tokenizer) {
        this.json = json;
        this.tokenizer = tokenizer;
    }

    ObjectMapper mapper() {
        return json;
    }

    /** A chunk of {@code chat.completion.chunk} with one choice whose delta the caller fills. */
    ObjectNode chunk(String id, long created, String model) {
        ObjectNode c = json.createObjectNode();
        c.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model)
                .put("system_fingerprint", "gpt4video");
        return c;
    }

    ObjectNode choice(ObjectNode chunk) {
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return choice;
    }

    /** OpenAI's {@code logprobs.content} entries for these tokens. */
    ArrayNode logprobContent(List<GeneratedToken> tokens) {
        ArrayNode content = json.createArrayNode();
        for (GeneratedToken t : tokens) {
            ObjectNode e = content.addObject();
            tokenFields(e, t.id(), t.logprob());
            ArrayNode top = e.putArray("top_logprobs");
            for (TokenLogprob alt : t.topLogprobs()) {
                tokenFields(top.addObject(), alt.id(), alt.logprob());
            }
        }
        return content;
    }

    private void tokenFields(ObjectNode e, int id, float logprob) {
        String text = tokenText(id);
        e.put("token", text);
        e.put("logprob", Float.isNaN(logprob) ? null : (double) logprob);
        ArrayNode bytes = e.putArray("bytes");
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
    }

    /** A token's own text: the piece with SentencePiece's word marker turned back into a space. */
    String tokenText(int id) {
        return tokenizer.piece(id).replace('\u2581', ' ');
    }

    ObjectNode usage(int prompt, int completion) {
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
        return u;
    }

    ArrayNode videos(List<VideoObject> videos) {
        return json.valueToTree(videos);
    }
}
