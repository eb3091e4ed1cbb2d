package dev.gpt4video.llm.generate;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.llama.LlamaConfig;

/**
 * Knobs of a {@link BatchScheduler}.
 *
 * @param maxBatchSize most sequences decoded together in one step (a beam request counts its width)
 * @param maxWaiting most requests waiting for admission; one more is refused with {@code queue_full}
 * @param kvTokenBudget KV-cache positions all running sequences may hold together; a request
 *     reserves {@code beams * (prompt + max_tokens)} at admission, waits while that does not fit,
 *     and is refused with {@code context_length_exceeded} when it never could
 * @param name names the loop thread
 */
public record SchedulerOptions(int maxBatchSize, int maxWaiting, long kvTokenBudget, String name) {
    public SchedulerOptions {
        if (maxBatchSize < 1) {
            throw invalid("max_batch_size", maxBatchSize, "must be >= 1");
        }
        if (maxWaiting < 0) {
            throw invalid("max_waiting", maxWaiting, "must be >= 0");
        }
        if (kvTokenBudget < 1) {
            throw invalid("kv_token_budget", kvTokenBudget, "must be >= 1");
        }
        name = name == null || name.isBlank() ? "llm" : name;
    }

    /** 8 sequences, 64 waiting, room for 8 full-length sequences. */
    public static SchedulerOptions defaults(LlamaConfig config) {
        return new SchedulerOptions(8, 64, 8L * config.maxPositionEmbeddings(), "llm");
    }

    public SchedulerOptions withMaxBatchSize(int v) {
        return new SchedulerOptions(v, maxWaiting, kvTokenBudget, name);
    }

    public SchedulerOptions withMaxWaiting(int v) {
        return new SchedulerOptions(maxBatchSize, v, kvTokenBudget, name);
    }

    public SchedulerOptions withKvTokenBudget(long v) {
        return new SchedulerOptions(maxBatchSize, maxWaiting, v, name);
    }

    private static Gpt4VideoException invalid(String field, Object value, String rule) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "scheduler " + field + " = " + value + ": " + rule);
    }
}
