package dev.gpt4video.llm.generate;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.llama.KvCache;
import dev.gpt4video.llm.llama.Segment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request being decoded: the sequences it adds to each batched step, what it does with their
 * logits, and how its tokens reach the listener. Driven by one thread at a time (the scheduler
 * loop or {@link Generator}); only {@link #requestCancel()} may be called from elsewhere.
 */
abstract class DecodingRun {
    private static final Logger LOG = LoggerFactory.getLogger(DecodingRun.class);

    final RunContext context;
    final GenerationRequest request;
    private final TokenListener listener;
    final CompletableFuture<GenerationResult> future = new CompletableFuture<>();
    private final AtomicBoolean completed = new AtomicBoolean();
    private volatile boolean cancelRequested;

    private final List<Integer> ids = new ArrayList<>();
    private final List<GeneratedToken> tokens = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private final TextStream stream;
    private FinishReason finishReason;

    /** A beam search run for {@code beamWidth > 1}, else a sampling run. */
    static DecodingRun create(RunContext context, GenerationRequest request, TokenListener listener) {
        return request.beamWidth() > 1
                ? new BeamRun(context, request, listener)
                : new SamplingRun(context, request, listener);
    }

    DecodingRun(RunContext context, GenerationRequest request, TokenListener listener) {
        this.context = context;
        this.request = request;
        this.listener = listener == null ? TokenListener.NONE : listener;
        this.stream = new TextStream(context.tokenizer(), request.stopStrings());
    }

    /** KV positions this run holds while active (every beam's full capacity). */
    abstract long kvTokens();

    /** Prefills and picks the first token; the run may be finished afterwards. */
    abstract void start();

    /** The caches of the sequences that take part in the next decoding step. */
    abstract List<KvCache> caches();

    /** The ids those sequences are fed next, one per cache. */
    abstract int[] inputs();

    /** The logits of this run's rows, {@code logits[offset .. offset + caches().size())}. */
    abstract void accept(float[][] logits, int offset);

    /** Frees every cache at once. Idempotent. */
    abstract void releaseCaches();

    /** The winning score for beam search, NaN otherwise. */
    double score() {
        return Double.NaN;
    }

    final boolean finished() {
        return finishReason != null;
    }

    final boolean isCompleted() {
        return completed.get();
    }

    final void requestCancel() {
        cancelRequested = true;
    }

    final boolean cancelRequested() {
        return cancelRequested;
    }

    final int generatedCount() {
        return ids.size();
    }

    /** Prompt token ids, for the repetition penalty (embedding rows have no id). */
    final BitSet promptIds() {
        BitSet seen = new BitSet(context.model().config().vocabSize());
        for (Segment s : request.segments()) {
            if (s instanceof Segment.Tokens t) {
                for (int id : t.ids()) {
                    seen.set(id);
                }
            }
        }
        return seen;
    }

    /**
     * Records one generated id, emits its text to the listener and decides whether the run is
     * finished. {@code endsSequence}: the id is EOS or a stop id (its own text is not emitted; held
     * text is released with it).
     *
     * @return true when the run is finished
     */
    final boolean emit(int id, boolean endsSequence, float logprob, List<TokenLogprob> top) {
        int index = ids.size();
        ids.add(id);
        String piece;
        if (endsSequence) {
            piece = stream.finish().text();
            finishReason = FinishReason.STOP;
        } else {
            StopStrings.Released r = stream.push(id);
            piece = r.text();
            if (r.stopped()) {
                finishReason = FinishReason.STOP;
            } else if (ids.size() >= request.maxTokens()) {
                StopStrings.Released rest = stream.finish();
                piece += rest.text();
                finishReason = rest.stopped() ? FinishReason.STOP : FinishReason.LENGTH;
            }
        }
        text.append(piece);
        GeneratedToken token = new GeneratedToken(index, id, piece, logprob, top);
        tokens.add(token);
        listener.onToken(token);
        return finishReason != null;
    }

    /** Completes with the emitted tokens; frees the caches first. */
    final void complete() {
        releaseCaches();
        if (!completed.compareAndSet(false, true)) {
            return;
        }
        if (finishReason == null) {
            finishReason = FinishReason.CANCELLED;
        }
        int[] out = ids.stream().mapToInt(Integer::intValue).toArray();
        GenerationResult result = new GenerationResult(out, text.toString(), finishReason,
                new Usage(request.promptLength(), out.length), tokens, score());
        future.complete(result);
        try {
            listener.onComplete(result);
        } catch (RuntimeException e) {
            LOG.warn("token listener failed in onComplete", e);
        }
    }

    /** Ends the run as cancelled, keeping the tokens emitted so far. */
    final void cancel() {
        finishReason = FinishReason.CANCELLED;
        complete();
    }

    /** Ends the run with an error; frees the caches first. */
    final void fail(Throwable error) {
        releaseCaches();
        if (!completed.compareAndSet(false, true)) {
            return;
        }
        Gpt4VideoException e = error instanceof Gpt4VideoException g ? g
                : new Gpt4VideoException(ErrorCode.GENERATION_FAILED, "generation failed: " + error, error);
        future.completeExceptionally(e);
        try {
            listener.onError(e);
        } catch (RuntimeException x) {
            LOG.warn("token listener failed in onError", x);
        }
    }
}
