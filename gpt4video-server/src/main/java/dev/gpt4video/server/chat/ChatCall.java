package dev.gpt4video.server.chat;

import dev.gpt4video.core.chat.ChatMessage;

import java.nio.file.Path;
import java.util.List;

/**
 * One chat turn to run: the conversation so far (videos referenced by index into {@code videos})
 * and how to generate.
 *
 * @param videoBackend  text-to-video backend for spans in the reply (null: the default)
 * @param waitForVideos keep the turn open until the videos it started are finished
 */
public record ChatCall(List<ChatMessage> messages, List<Path> videos, Integer numFrames, Sampling sampling,
                       String videoBackend, boolean waitForVideos) {
    public ChatCall {
        messages = List.copyOf(messages);
        videos = List.copyOf(videos);
    }

    /**
     * Decoding settings in the OpenAI names' meaning; {@code null} fields take defaults
     * (temperature 1, top_p 1, max_tokens up to the context).
     */
    public record Sampling(Integer maxTokens, Double temperature, Double topP, Integer topK, Long seed,
                           List<String> stop, Integer logprobs, Double repetitionPenalty, Integer beamWidth,
                           boolean ignoreEos) {
        public static Sampling defaults() {
            return new Sampling(null, null, null, null, null, List.of(), null, null, null, false);
        }
    }
}
