package dev.gpt4video.llm.generate;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.llama.Segment;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What to generate and how. Built with {@link #builder}; invalid values fail with
 * {@code invalid_request} naming the field.
 *
 * <pre>{@code
 * GenerationRequest r = GenerationRequest.builder(List.of(Segment.tokens(ids)))
 *         .maxTokens(128).temperature(0.7).topP(0.9).seed(42L).stopStrings(List.of("\nHuman:"))
 *         .build();
 * }</pre>
 *
 * @param segments the prompt: token ids and embedding rows (video tokens), in order
 * @param maxTokens most tokens to generate; reaching it finishes with {@code length}
 * @param temperature 0 means greedy (argmax); otherwise logits are divided by it and sampled
 * @param topK keep the k most likely tokens (0: off)
 * @param topP nucleus mass to keep (1: off)
 * @param repetitionPenalty transformers' rule over prompt token ids and generated ids (1: off)
 * @param seed seeds this request's random generator; null draws a seed
 * @param stopTokenIds ids that end generation like EOS (the id is in the result's ids, not its text)
 * @param stopStrings texts that end generation; neither they nor anything after them is emitted
 * @param logprobs null: none; n: each token's log-probability and the n most likely alternatives
 *     (0..20), from the distribution after repetition penalty and temperature, before top-k/top-p
 * @param beamWidth 1 samples; more runs deterministic beam search (sampling settings and seed
 *     are ignored; tokens reach a listener only when the search ends)
 * @param lengthPenalty beam hypotheses score {@code sum(logprobs) / length^lengthPenalty}
 * @param ignoreEos keep going past EOS (for benchmarks)
 */
public record GenerationRequest(
        List<Segment> segments,
        int maxTokens,
        double temperature,
        int topK,
        double topP,
        double repetitionPenalty,
        Long seed,
        Set<Integer> stopTokenIds,
        List<String> stopStrings,
        Integer logprobs,
        int beamWidth,
        double lengthPenalty,
        boolean ignoreEos) {

    public static final int MAX_LOGPROBS = 20;

    public GenerationRequest {
        if (segments == null || segments.isEmpty() || Segment.length(segments) == 0) {
            throw invalid("messages", "the prompt is empty");
        }
        segments = List.copyOf(segments);
        if (maxTokens < 1) {
            throw invalid("max_tokens", "must be >= 1, got " + maxTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw invalid("temperature", "must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw invalid("top_k", "must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw invalid("top_p", "must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw invalid("repetition_penalty", "must be a finite number > 0, got " + repetitionPenalty);
        }
        stopTokenIds = Set.copyOf(stopTokenIds == null ? Set.of() : stopTokenIds);
        stopStrings = List.copyOf(stopStrings == null ? List.of() : stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw invalid("stop", "stop strings must not be empty");
            }
        }
        if (logprobs != null && (logprobs < 0 || logprobs > MAX_LOGPROBS)) {
            throw invalid("logprobs", "must be between 0 and " + MAX_LOGPROBS + ", got " + logprobs);
        }
        if (beamWidth < 1) {
            throw invalid("beam_width", "must be >= 1, got " + beamWidth);
        }
        if (!Double.isFinite(lengthPenalty)) {
            throw invalid("length_penalty", "must be finite, got " + lengthPenalty);
        }
    }

    /** Prompt positions: token ids plus embedding rows. */
    public int promptLength() {
        return Segment.length(segments);
    }

    public boolean greedy() {
        return temperature == 0;
    }

    public Builder toBuilder() {
        return new Builder(segments).maxTokens(maxTokens).temperature(temperature).topK(topK).topP(topP)
                .repetitionPenalty(repetitionPenalty).seed(seed).stopTokenIds(stopTokenIds).stopStrings(stopStrings)
                .logprobs(logprobs).beamWidth(beamWidth).lengthPenalty(lengthPenalty).ignoreEos(ignoreEos);
    }

    public static Builder builder(List<Segment> segments) {
        return new Builder(segments);
    }

    /** Prompt of token ids only. */
    public static Builder builder(int... promptIds) {
        return new Builder(List.of(Segment.tokens(promptIds)));
    }

    private static Gpt4VideoException invalid(String field, String message) {
        return new Gpt4VideoException(ErrorCode.INVALID_REQUEST, field + ": " + message);
    }

    /** Defaults: 256 tokens, temperature 1, no top-k/top-p/penalty, no logprobs, one beam. */
    public static final class Builder {
        private final List<Segment> segments;
        private int maxTokens = 256;
        private double temperature = 1.0;
        private int topK;
        private double topP = 1.0;
        private double repetitionPenalty = 1.0;
        private Long seed;
        private Set<Integer> stopTokenIds = new LinkedHashSet<>();
        private List<String> stopStrings = new ArrayList<>();
        private Integer logprobs;
        private int beamWidth = 1;
        private double lengthPenalty = 1.0;
        private boolean ignoreEos;

        private Builder(List<Segment> segments) {
            this.segments = segments;
        }

        public Builder maxTokens(int v) {
            maxTokens = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topP(double v) {
            topP = v;
            return this;
        }

        public Builder repetitionPenalty(double v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder seed(Long v) {
            seed = v;
            return this;
        }

        public Builder stopTokenIds(Set<Integer> v) {
            stopTokenIds = v;
            return this;
        }

        public Builder stopStrings(List<String> v) {
            stopStrings = v;
            return this;
        }

        public Builder logprobs(Integer v) {
            logprobs = v;
            return this;
        }

        public Builder beamWidth(int v) {
            beamWidth = v;
            return this;
        }

        public Builder lengthPenalty(double v) {
            lengthPenalty = v;
            return this;
        }

        public Builder ignoreEos(boolean v) {
            ignoreEos = v;
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(segments, maxTokens, temperature, topK, topP, repetitionPenalty, seed,
                    stopTokenIds, stopStrings, logprobs, beamWidth, lengthPenalty, ignoreEos);
        }
    }
}
