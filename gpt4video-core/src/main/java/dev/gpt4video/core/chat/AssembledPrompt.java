package dev.gpt4video.core.chat;

import java.util.List;

/**
 * The prompt ready for the model.
 *
 * @param promptTokens     text tokens plus the embedding rows of every video
 * @param droppedMessages  how many old messages were left out to fit the context
 * @param videos           the video indices spliced in, in prompt order
 */
public record AssembledPrompt(List<PromptSegment> segments, int promptTokens, int droppedMessages, List<Integer> videos) {
    public AssembledPrompt {
        segments = List.copyOf(segments);
        videos = List.copyOf(videos);
    }
}
