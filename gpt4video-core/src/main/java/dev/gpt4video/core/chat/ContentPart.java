package dev.gpt4video.core.chat;

/** One part of a message: text, or a reference to the conversation's video number {@code index}. */
public sealed interface ContentPart {
    record Text(String text) implements ContentPart {
    }

    record Video(int index) implements ContentPart {
    }
}
