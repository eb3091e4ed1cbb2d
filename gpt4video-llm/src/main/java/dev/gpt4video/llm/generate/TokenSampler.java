package dev.gpt4video.llm.generate;

import java.util.random.RandomGenerator;

/**
 * Picks the next token from processed logits. {@link #greedy()} takes the argmax (lowest id on a
 * tie); {@link #categorical()} draws from the softmax with the request's seeded generator.
 */
@FunctionalInterface
public interface TokenSampler {

    int sample(float[] logits, RandomGenerator random);

    static TokenSampler greedy() {
        return (logits, random) -> TopTokens.argmax(logits);
    }

    /** Draws id {@code i} with probability {@code softmax(logits)[i]}, accumulating in double precision. */
    static TokenSampler categorical() {
        return (logits, random) -> {
            int best = TopTokens.argmax(logits);
            float max = logits[best];
            double total = 0;
            for (float x : logits) {
                total += Math.exp(x - max);
            }
            double target = random.nextDouble() * total;
            double sum = 0;
            int last = best;
            for (int i = 0; i < logits.length; i++) {
                if (logits[i] == Float.NEGATIVE_INFINITY) {
                    continue;
                }
                sum += Math.exp(logits[i] - max);
                last = i;
                if (sum > target) {
                    return i;
                }
            }
            return last; // rounding left the target just past the sum
        };
    }
}
