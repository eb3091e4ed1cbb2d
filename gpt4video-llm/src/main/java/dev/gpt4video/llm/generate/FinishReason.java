package dev.gpt4video.llm.generate;

/** Why generation ended; {@link #wireName()} is the OpenAI {@code finish_reason} string. */
public enum FinishReason {
    /** EOS, a stop token id or a stop string. */
    STOP("stop"),
    /** {@code max_tokens} reached. */
    LENGTH("length"),
    /** The caller cancelled. */
    CANCELLED("cancelled");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
