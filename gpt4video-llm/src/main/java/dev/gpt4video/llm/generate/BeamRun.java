package dev.gpt4video.llm.generate;

import dev.gpt4video.llm.llama.KvCache;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Deterministic beam search as transformers' {@code BeamSearchScorer} does it (batch of one,
 * {@code early_stopping=False}): each step scores {@code beam score + log_softmax(logits)} (after the
 * repetition penalty, applied to the log-probabilities as transformers does), takes the best
 * {@code 2 * width} candidates, turns those ending in EOS (or a stop id) among the first
 * {@code width} into finished hypotheses and keeps the best {@code width} others as beams.
 * Hypotheses score {@code sum(logprobs) / length^length_penalty}, where {@code length} counts the
 * generated tokens including the final EOS. The search ends when {@code width} hypotheses exist and
 * the best running candidate cannot beat the worst of them, or at {@code max_tokens}, when the
 * running beams become hypotheses too.
 *
 * <p>Each beam owns one of {@code width} preallocated caches; when several new beams share a
 * parent, all but one copy the parent's cache into a cache whose beam was dropped.
 *
 * <p>Tokens reach the listener only at the end, in one burst, because no beam is final before.
 */
final class BeamRun extends DecodingRun {
    /** A generated token, linked to the tokens before it (beams share their common past). */
    private record Step(Step previous, int id, float logprob, List<TokenLogprob> top, int length) {
    }

    private record Beam(KvCache cache, double score, Step last, BitSet seen) {
    }

    private record Candidate(double score, int beam, int id) {
    }

    private record Hypothesis(double score, Step last) {
    }

    private static final Comparator<Candidate> BETTER_FIRST = Comparator.comparingDouble(Candidate::score).reversed()
            .thenComparingInt(Candidate::beam).thenComparingInt(Candidate::id);

    private final int width;
    private final LogitsProcessor penalty;
    private final KvCache[] pool;
    private final List<Hypothesis> hypotheses = new ArrayList<>();
    private List<Beam> beams = List.of();
    private double winnerScore = Double.NaN;

    BeamRun(RunContext context, GenerationRequest request, TokenListener listener) {
        super(context, request, listener);
        this.width = request.beamWidth();
        this.penalty = LogitsProcessor.repetitionPenalty((float) request.repetitionPenalty());
        this.pool = new KvCache[width];
    }

    @Override
    long kvTokens() {
        return (long) width * context.capacity(request);
    }

    @Override
    void start() {
        for (int i = 0; i < width; i++) {
            pool[i] = context.model().newCache(context.capacity(request));
        }
        float[] logits = context.model().prefill(pool[0], request.segments());
        BitSet seen = request.repetitionPenalty() == 1.0 ? null : promptIds();
        step(List.of(new Beam(pool[0], 0.0, null, seen)), new float[][] {logits}, 0);
    }

    @Override
    List<KvCache> caches() {
        return beams.stream().map(Beam::cache).toList();
    }

    @Override
    int[] inputs() {
        return beams.stream().mapToInt(b -> b.last().id()).toArray();
    }

    @Override
    void accept(float[][] logits, int offset) {
        step(beams, logits, offset);
    }

    @Override
    double score() {
        return winnerScore;
    }

    private void step(List<Beam> current, float[][] logits, int offset) {
        int keep = 2 * width;
        PriorityQueue<Candidate> best = new PriorityQueue<>(keep + 1, BETTER_FIRST.reversed());
        float[][] rows = new float[current.size()][];
        for (int b = 0; b < current.size(); b++) {
            Beam beam = current.get(b);
            float[] row = logits[offset + b];
            double logSumExp = SamplingRun.logSumExp(row);
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) (row[i] - logSumExp);
            }
            if (beam.seen() != null) {
                penalty.process(row, beam.seen());
            }
            rows[b] = row;
            for (int id = 0; id < row.length; id++) {
                Candidate c = new Candidate(beam.score() + row[id], b, id);
                if (best.size() < keep) {
                    best.add(c);
                } else if (BETTER_FIRST.compare(c, best.peek()) < 0) {
                    best.poll();
                    best.add(c);
                }
            }
        }
        List<Candidate> ranked = new ArrayList<>(best);
        ranked.sort(BETTER_FIRST);

        List<Candidate> chosen = new ArrayList<>(width);
        List<Step> chosenSteps = new ArrayList<>(width);
        for (int rank = 0; rank < ranked.size() && chosen.size() < width; rank++) {
            Candidate c = ranked.get(rank);
            Step step = step(current.get(c.beam()), rows[c.beam()], c.id());
            if (context.endsSequence(c.id(), request)) {
                if (rank < width) {
                    addHypothesis(c.score(), step);
                }
            } else {
                chosen.add(c);
                chosenSteps.add(step);
            }
        }
        int generated = (current.get(0).last() == null ? 0 : current.get(0).last().length()) + 1;
        boolean done = chosen.isEmpty();
        if (!done && hypotheses.size() >= width) {
            double worst = hypotheses.get(hypotheses.size() - 1).score();
            done = worst >= ranked.get(0).score() / Math.pow(generated, request.lengthPenalty());
        }
        if (!done && generated >= request.maxTokens()) {
            for (int i = 0; i < chosen.size(); i++) {
                addHypothesis(chosen.get(i).score(), chosenSteps.get(i));
            }
            done = true;
        }
        if (done) {
            finish();
            return;
        }
        beams = nextBeams(current, chosen, chosenSteps);
    }

    private Step step(Beam parent, float[] row, int id) {
        List<TokenLogprob> top = request.logprobs() == null ? List.of()
                : SamplingRun.topLogprobs(row, request.logprobs(), 0.0);
        int length = parent.last() == null ? 1 : parent.last().length() + 1;
        return new Step(parent.last(), id, row[id], top, length);
    }

    /** Keeps the best {@code width} hypotheses, best first. */
    private void addHypothesis(double sumLogprobs, Step last) {
        double score = sumLogprobs / Math.pow(last.length(), request.lengthPenalty());
        hypotheses.add(new Hypothesis(score, last));
        hypotheses.sort(Comparator.comparingDouble(Hypothesis::score).reversed());
        if (hypotheses.size() > width) {
            hypotheses.remove(hypotheses.size() - 1);
        }
    }

    /** The new beams, each with a cache holding its parent's past: reused when free, else copied. */
    private List<Beam> nextBeams(List<Beam> current, List<Candidate> chosen, List<Step> steps) {
        boolean[] parentTaken = new boolean[current.size()];
        KvCache[] assigned = new KvCache[chosen.size()];
        List<KvCache> inUse = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            int p = chosen.get(i).beam();
            if (!parentTaken[p]) {
                parentTaken[p] = true;
                assigned[i] = current.get(p).cache();
                inUse.add(assigned[i]);
            }
        }
        Deque<KvCache> free = new ArrayDeque<>();
        for (KvCache c : pool) {
            if (!inUse.contains(c)) {
                free.add(c);
            }
        }
        List<Beam> next = new ArrayList<>(chosen.size());
        for (int i = 0; i < chosen.size(); i++) {
            Candidate c = chosen.get(i);
            Beam parent = current.get(c.beam());
            if (assigned[i] == null) {
                assigned[i] = free.pop();
                assigned[i].copyFrom(parent.cache());
            }
            BitSet seen = null;
            if (parent.seen() != null) {
                seen = (BitSet) parent.seen().clone();
                seen.set(c.id());
            }
            next.add(new Beam(assigned[i], c.score(), steps.get(i), seen));
        }
        return next;
    }

    /** Frees the caches, then emits the best hypothesis token by token. */
    private void finish() {
        releaseCaches();
        beams = List.of();
        if (hypotheses.isEmpty()) {
            throw new IllegalStateException("beam search ended without a hypothesis");
        }
        Hypothesis winner = hypotheses.get(0);
        winnerScore = winner.score();
        Deque<Step> path = new ArrayDeque<>();
        for (Step s = winner.last(); s != null; s = s.previous()) {
            path.push(s);
        }
        int n = path.size();
        int i = 0;
        for (Step s : path) {
            boolean last = ++i == n;
            float logprob = request.logprobs() == null ? Float.NaN : s.logprob();
            if (emit(s.id(), last && context.endsSequence(s.id(), request), logprob, s.top())) {
                return;
            }
        }
        throw new IllegalStateException("beam hypothesis of " + n + " tokens neither ended nor reached max_tokens");
    }

    @Override
    void releaseCaches() {
        for (KvCache c : pool) {
            if (c != null) {
                c.close();
            }
        }
    }
}
