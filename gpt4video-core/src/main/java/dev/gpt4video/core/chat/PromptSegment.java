package dev.gpt4video.core.chat;

/** The model's input: runs of token ids and the visual embeddings of a video, in order. */
public sealed interface PromptSegment {
    record Tokens(int[] ids) implements PromptSegment {
    }

    record Video(int index) implements PromptSegment {
    }
}
