package dev.gpt4video.t2v.route;

/** What the span router emits as the reply streams: plain text, a caption to generate, or a span it refused. */
public sealed interface RouterEvent {
    /** Text outside any span, unchanged. */
    record Text(String text) implements RouterEvent {
    }

    /**
     * A complete span.
     *
     * @param ordinal  0 for the first span of the reply, 1 for the next…
     * @param tagIndex the N of {@code <videoN>}, or null for {@code <video>}
     * @param raw      the span as the model wrote it, tags included
     */
    record Span(int ordinal, Integer tagIndex, String caption, String raw) implements RouterEvent {
    }

    /**
     * A span that will not be generated: {@code empty} caption, {@code too_many} spans in one reply,
     * {@code too_long} a caption past the limit, or {@code unterminated} at the end of the stream.
     * Unterminated and over-limit spans are also emitted as text so the reply loses nothing.
     */
    record Skipped(String reason, String raw) implements RouterEvent {
    }
}
