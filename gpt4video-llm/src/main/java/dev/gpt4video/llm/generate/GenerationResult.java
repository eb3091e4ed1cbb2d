package dev.gpt4video.llm.generate;

import java.util.Arrays;
import java.util.List;

/**
 * The outcome of a request.
 *
 * @param tokenIds every generated id, a final EOS or stop id included
 * @param text the emitted text: the concatenation of every {@link GeneratedToken#text()}; control
 *     ids, stop token ids and stop strings (and anything after a stop string) are not in it
 * @param tokens per-token details (logprobs when requested), one per id
 * @param score beam search: the winning hypothesis' {@code sum(logprobs) / length^length_penalty};
 *     NaN for sampling
 */
public record GenerationResult(int[] tokenIds, String text, FinishReason finishReason, Usage usage,
                               List<GeneratedToken> tokens, double score) {
    public GenerationResult {
        tokenIds = tokenIds.clone();
        tokens = List.copyOf(tokens);
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationResult r && Arrays.equals(tokenIds, r.tokenIds) && text.equals(r.text)
                && finishReason == r.finishReason && usage.equals(r.usage) && tokens.equals(r.tokens)
                && Double.compare(score, r.score) == 0;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokenIds) * 31 + text.hashCode();
    }

    @Override
    public String toString() {
        return "GenerationResult[" + finishReason.wireName() + ", " + usage + ", ids=" + Arrays.toString(tokenIds)
                + ", text=" + text + "]";
    }
}
