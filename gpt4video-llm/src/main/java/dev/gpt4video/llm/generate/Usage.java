package dev.gpt4video.llm.generate;

/**
 * Token counts of one request.
 *
 * @param promptTokens prompt positions, embedding rows (video tokens) included
 * @param completionTokens generated ids, a final EOS or stop id included
 */
public record Usage(int promptTokens, int completionTokens) {
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
