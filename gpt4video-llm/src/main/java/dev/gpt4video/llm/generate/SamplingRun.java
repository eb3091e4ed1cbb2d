package dev.gpt4video.llm.generate;

import dev.gpt4video.llm.llama.KvCache;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A request with one sequence: prefill, then per step penalise, scale, truncate, sample, emit.
 * Logprobs are the log-softmax after the repetition penalty and temperature (the distribution the
 * sampler draws from before top-k/top-p cut it), so alternatives outside the nucleus still get a
 * finite value.
 */
final class SamplingRun extends DecodingRun {
    private final LogitsProcessor shape;
    private final LogitsProcessor truncate;
    private final TokenSampler sampler;
    private final RandomGenerator random;
    private final BitSet seen;
    private KvCache cache;
    private int next = -1;

    SamplingRun(RunContext context, GenerationRequest request, TokenListener listener) {
        super(context, request, listener);
        LogitsProcessor penalty = LogitsProcessor.repetitionPenalty((float) request.repetitionPenalty());
        if (request.greedy()) {
            shape = penalty;
            truncate = LogitsProcessor.identity();
            sampler = TokenSampler.greedy();
        } else {
            shape = penalty.andThen(LogitsProcessor.temperature((float) request.temperature()));
            truncate = LogitsProcessor.topK(request.topK()).andThen(LogitsProcessor.topP(request.topP()));
            sampler = TokenSampler.categorical();
        }
        long seed = request.seed() != null ? request.seed() : new SecureRandom().nextLong();
        random = new SplittableRandom(seed);
        seen = promptIds();
    }

    @Override
    long kvTokens() {
        return context.capacity(request);
    }

    @Override
    void start() {
        cache = context.model().newCache(context.capacity(request));
        choose(context.model().prefill(cache, request.segments()));
    }

    @Override
    List<KvCache> caches() {
        return List.of(cache);
    }

    @Override
    int[] inputs() {
        return new int[] {next};
    }

    @Override
    void accept(float[][] logits, int offset) {
        choose(logits[offset]);
    }

    private void choose(float[] logits) {
        shape.process(logits, seen);
        float logprob = Float.NaN;
        List<TokenLogprob> top = List.of();
        double logSumExp = 0;
        if (request.logprobs() != null) {
            logSumExp = logSumExp(logits);
            top = topLogprobs(logits, request.logprobs(), logSumExp);
        }
        truncate.process(logits, seen);
        int id = sampler.sample(logits, random);
        if (request.logprobs() != null) {
            logprob = (float) (logits[id] - logSumExp);
        }
        seen.set(id);
        next = id;
        emit(id, context.endsSequence(id, request), logprob, top);
    }

    static double logSumExp(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (float x : logits) {
            sum += Math.exp(x - max);
        }
        return max + Math.log(sum);
    }

    static List<TokenLogprob> topLogprobs(float[] logits, int n, double logSumExp) {
        if (n == 0) {
            return List.of();
        }
        List<TokenLogprob> top = new ArrayList<>(n);
        for (int id : TopTokens.largest(logits, n)) {
            top.add(new TokenLogprob(id, (float) (logits[id] - logSumExp)));
        }
        return top;
    }

    @Override
    void releaseCaches() {
        if (cache != null) {
            cache.close();
        }
    }
}
