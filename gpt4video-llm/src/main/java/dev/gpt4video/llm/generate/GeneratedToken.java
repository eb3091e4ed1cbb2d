package dev.gpt4video.llm.generate;

import java.util.List;

/**
 * One generated id as streamed to a {@link TokenListener}.
 *
 * @param index 0 for the first generated token
 * @param text the text that became final with this id: often empty (a multi-byte character or a
 *     possible stop string is still being held back), sometimes the text of several ids
 * @param logprob the id's log-probability, NaN when logprobs were not requested
 * @param topLogprobs the most likely alternatives, most likely first (empty when not requested)
 */
public record GeneratedToken(int index, int id, String text, float logprob, List<TokenLogprob> topLogprobs) {
    public GeneratedToken {
        topLogprobs = List.copyOf(topLogprobs);
    }
}
