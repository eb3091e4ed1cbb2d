package dev.gpt4video.llm.generate;

import java.util.Arrays;
import java.util.BitSet;

/**
 * One step of turning model logits into a sampling distribution, applied in place to a
 * {@code float[vocab]} row. Processors compose with {@link #andThen}; filtered tokens get
 * {@code -inf}, as transformers' warpers do.
 *
 * <pre>{@code
 * LogitsProcessor p = LogitsProcessor.repetitionPenalty(1.1f)
 *         .andThen(LogitsProcessor.temperature(0.7f))
 *         .andThen(LogitsProcessor.topK(40))
 *         .andThen(LogitsProcessor.topP(0.95));
 * p.process(logits, seenTokens);
 * }</pre>
 */
@FunctionalInterface
public interface LogitsProcessor {

    /**
     * Adjusts {@code logits} in place.
     *
     * @param seen the token ids the sequence holds so far (prompt tokens and generated ones)
     */
    void process(float[] logits, BitSet seen);

    default LogitsProcessor andThen(LogitsProcessor next) {
        return (logits, seen) -> {
            process(logits, seen);
            next.process(logits, seen);
        };
    }

    static LogitsProcessor identity() {
        return (logits, seen) -> { };
    }

    /**
     * transformers' {@code RepetitionPenaltyLogitsProcessor}: for every token already in the
     * sequence, a positive logit is divided by {@code penalty} and a negative one multiplied by it.
     */
    static LogitsProcessor repetitionPenalty(float penalty) {
        if (penalty == 1f) {
            return identity();
        }
        return (logits, seen) -> {
            for (int id = seen.nextSetBit(0); id >= 0 && id < logits.length; id = seen.nextSetBit(id + 1)) {
                float x = logits[id];
                logits[id] = x < 0 ? x * penalty : x / penalty;
            }
        };
    }

    /** Divides every logit by {@code temperature} (> 0). */
    static LogitsProcessor temperature(float temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0: " + temperature);
        }
        if (temperature == 1f) {
            return identity();
        }
        return (logits, seen) -> {
            for (int i = 0; i < logits.length; i++) {
                logits[i] /= temperature;
            }
        };
    }

    /**
     * Keeps the {@code k} largest logits (ties broken toward the lower id, so {@code k = 1} is
     * exactly greedy) and sets the rest to {@code -inf}. {@code k <= 0} disables it.
     */
    static LogitsProcessor topK(int k) {
        if (k <= 0) {
            return identity();
        }
        return (logits, seen) -> {
            if (k >= logits.length) {
                return;
            }
            int[] keep = TopTokens.largest(logits, k);
            boolean[] kept = new boolean[logits.length];
            for (int id : keep) {
                kept[id] = true;
            }
            for (int i = 0; i < logits.length; i++) {
                if (!kept[i]) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        };
    }

    /**
     * Nucleus filtering as transformers' {@code TopPLogitsWarper}: keeps the most likely tokens
     * until their probability mass reaches {@code p} (always at least one). {@code p >= 1} disables it.
     */
    static LogitsProcessor topP(double p) {
        if (p >= 1.0) {
            return identity();
        }
        if (!(p > 0)) {
            throw new IllegalArgumentException("top_p must be in (0, 1]: " + p);
        }
        return (logits, seen) -> {
            float max = Float.NEGATIVE_INFINITY;
            for (float x : logits) {
                max = Math.max(max, x);
            }
            if (max == Float.NEGATIVE_INFINITY) {
                return;
            }
            double total = 0;
            for (float x : logits) {
                total += Math.exp(x - max);
            }
            // Only tokens within 40 nats of the best can matter: the rest weigh < 4e-18 each.
            int n = 0;
            long[] order = new long[logits.length];
            for (int i = 0; i < logits.length; i++) {
                if (logits[i] >= max - 40f) {
                    order[n++] = TopTokens.sortKey(logits[i], i);
                }
            }
            Arrays.sort(order, 0, n);
            boolean[] kept = new boolean[logits.length];
            double before = 0;
            for (int j = 0; j < n; j++) {
                int id = TopTokens.idOf(order[j]);
                // Kept when the mass of the more likely tokens is still below p.
                if (before >= p * total && j > 0) {
                    break;
                }
                kept[id] = true;
                before += Math.exp(logits[id] - max);
            }
            for (int i = 0; i < logits.length; i++) {
                if (!kept[i]) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }
        };
    }
}
