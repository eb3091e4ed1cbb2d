package dev.gpt4video.llm.generate;

/** A token id and its log-probability (natural log). */
public record TokenLogprob(int id, float logprob) {
}
