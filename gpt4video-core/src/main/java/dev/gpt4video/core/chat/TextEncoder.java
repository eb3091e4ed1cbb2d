package dev.gpt4video.core.chat;

/** The slice of a tokenizer prompt assembly needs (kept in core so core does not depend on the LLM module). */
public interface TextEncoder {
    /** Token ids of {@code text} with no BOS/EOS added. */
    int[] encode(String text);

    int bosId();
}
