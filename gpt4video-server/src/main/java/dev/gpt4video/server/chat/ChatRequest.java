package dev.gpt4video.server.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.chat.ChatMessage;
import dev.gpt4video.core.chat.ContentPart;
import dev.gpt4video.core.chat.Role;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A parsed {@code POST /v1/chat/completions} body: OpenAI's fields plus the extensions
 * {@code num_frames}, {@code top_k}, {@code repetition_penalty}, {@code beam_width},
 * {@code ignore_eos} (as vLLM), {@code video_backend} and {@code wait_for_videos}.
 */
public record ChatRequest(String model, boolean stream, boolean includeUsage, ChatCall call) {

    public static ChatRequest parse(JsonNode body, Function<String, Path> videos) {
        if (body == null || !body.isObject()) {
            throw invalid("body", "expected a JSON object");
        }
        JsonNode msgs = body.get("messages");
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
            throw invalid("messages", "must be a non-empty array");
        }
        List<ChatMessage> messages = new ArrayList<>();
        List<Path> videoPaths = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            String field = "messages[" + i + "]";
            if (!m.path("role").isTextual()) {
                throw invalid(field + ".role", "is required");
            }
            String roleName = m.get("role").asText();
            Role role = switch (roleName) {
                case "system", "developer" -> Role.SYSTEM;
                case "user" -> Role.USER;
                case "assistant" -> Role.ASSISTANT;
                default -> throw invalid(field + ".role", "unknown role '" + roleName + "'");
            };
            List<ContentPart> parts = new ArrayList<>();
            JsonNode content = m.get("content");
            if (content == null || content.isNull()) {
                if (role != Role.ASSISTANT) {
                    throw invalid(field + ".content", "is required");
                }
            } else if (content.isTextual()) {
                parts.add(new ContentPart.Text(content.asText()));
            } else if (content.isArray()) {
                for (int k = 0; k < content.size(); k++) {
                    JsonNode part = content.get(k);
                    String pf = field + ".content[" + k + "]";
                    String type = part.path("type").asText("");
                    switch (type) {
                        case "text" -> parts.add(new ContentPart.Text(part.path("text").asText("")));
                        case "video_url" -> {
                            if (role != Role.USER) {
                                throw invalid(pf, "videos can only be in user messages");
                            }
                            JsonNode url = part.path("video_url");
                            String u = url.isTextual() ? url.asText() : url.path("url").asText(null);
                            videoPaths.add(videos.apply(u));
                            parts.add(new ContentPart.Video(videoPaths.size() - 1));
                        }
                        default -> throw invalid(pf + ".type", "unsupported content part type '" + type
                                + "' (expected text or video_url)");
                    }
                }
            } else {
                throw invalid(field + ".content", "must be a string or an array of content parts");
            }
            messages.add(new ChatMessage(role, parts));
        }
        if (body.path("n").asInt(1) != 1) {
            throw invalid("n", "only n=1 is supported");
        }
        Integer maxTokens = optInt(body, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = optInt(body, "max_tokens");
        }
        Integer logprobs = null;
        if (body.path("logprobs").asBoolean(false)) {
            logprobs = body.has("top_logprobs") ? optInt(body, "top_logprobs") : 0;
        }
        ChatCall.Sampling sampling = new ChatCall.Sampling(maxTokens, optDouble(body, "temperature"),
                optDouble(body, "top_p"), optInt(body, "top_k"), optLong(body, "seed"), stops(body.get("stop")),
                logprobs, optDouble(body, "repetition_penalty"), optInt(body, "beam_width"),
                body.path("ignore_eos").asBoolean(false));
        boolean stream = body.path("stream").asBoolean(false);
        ChatCall call = new ChatCall(messages, videoPaths, optInt(body, "num_frames"), sampling,
                body.path("video_backend").isTextual() ? body.get("video_backend").asText() : null,
                body.path("wait_for_videos").asBoolean(stream));
        return new ChatRequest(body.path("model").asText(null), stream,
                body.path("stream_options").path("include_usage").asBoolean(false), call);
    }

    static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (stop.isArray() && stop.size() <= 4) {
            List<String> out = new ArrayList<>();
            stop.forEach(s -> out.add(s.asText()));
            return out;
        }
        throw invalid("stop", "must be a string or an array of up to 4 strings");
    }

    static Integer optInt(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw invalid(field, "must be an integer");
        }
        return n.asInt();
    }

    static Long optLong(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber()) {
            throw invalid(field, "must be an integer");
        }
        return n.asLong();
    }

    static Double optDouble(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw invalid(field, "must be a number");
        }
        return n.asDouble();
    }

    static Gpt4VideoException invalid(String field, String message) {
        return new Gpt4VideoException(ErrorCode.INVALID_REQUEST, field + ": " + message);
    }
}
