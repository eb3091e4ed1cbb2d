package dev.gpt4video.core.chat;

/** What a template renders: the BOS token, a text chunk, or a video's embeddings. */
public sealed interface PromptPiece {
    record Bos() implements PromptPiece {
    }

    /** Tokenized on its own, without special tokens (so it gets its own dummy-prefix space). */
    record Text(String text) implements PromptPiece {
    }

    record Video(int index) implements PromptPiece {
    }
}
