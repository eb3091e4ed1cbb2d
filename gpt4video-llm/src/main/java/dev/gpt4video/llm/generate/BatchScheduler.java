package dev.gpt4video.llm.generate;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.llama.KvCache;
import dev.gpt4video.llm.llama.LlamaModel;
import dev.gpt4video.llm.tokenizer.Tokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching on one loop thread. Between decoding steps the loop admits waiting requests
 * in arrival order while the batch has room ({@link SchedulerOptions#maxBatchSize()}) and their KV
 * reservation fits the budget, prefills each and emits its first token; then it runs one batched
 * {@link LlamaModel#decode} step for every running sequence and hands each request its rows.
 * Finished and cancelled requests leave between steps, freeing their caches at once.
 *
 * <p>One request's failure (bad input, a listener that throws, an engine error in its rows) fails
 * that request only: when a batched step throws, the loop retries each request alone to find the
 * culprit. Listeners are called on the loop thread, in order per request.
 *
 * <p>Prefill is not chunked against decoding: a long prompt delays the running streams by its
 * prefill time once.
 */
public final class BatchScheduler implements Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(BatchScheduler.class);

    private final RunContext context;
    private final SchedulerOptions options;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final ArrayDeque<DecodingRun> waiting = new ArrayDeque<>();
    /** Loop thread only. */
    private final List<DecodingRun> active = new ArrayList<>();
    private final Thread loop;
    private boolean closing;
    private final AtomicInteger running = new AtomicInteger();
    private volatile int sequences;
    private final AtomicLong kvUsed = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong generated = new AtomicLong();

    /** @param tokenizer null to generate ids only (no text; stop strings are refused) */
    public BatchScheduler(LlamaModel model, Tokenizer tokenizer, SchedulerOptions options) {
        this.context = RunContext.of(model, tokenizer);
        this.options = options;
        this.loop = new Thread(this::loop, "llm-scheduler-" + options.name());
        this.loop.setDaemon(true);
        this.loop.start();
    }

    @Override
    public GenerationHandle submit(GenerationRequest request, TokenListener listener) {
        context.validate(request);
        if (request.beamWidth() > options.maxBatchSize()) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "beam_width: " + request.beamWidth()
                    + " beams exceed the scheduler's batch size of " + options.maxBatchSize());
        }
        DecodingRun run = DecodingRun.create(context, request, listener);
        if (run.kvTokens() > options.kvTokenBudget()) {
            throw new Gpt4VideoException(ErrorCode.CONTEXT_LENGTH_EXCEEDED, "the request needs " + run.kvTokens()
                    + " KV-cache positions (" + request.beamWidth() + " x (" + request.promptLength() + " prompt + "
                    + request.maxTokens() + " max_tokens)) but the scheduler's budget is " + options.kvTokenBudget());
        }
        lock.lock();
        try {
            if (closing) {
                throw new Gpt4VideoException(ErrorCode.NOT_READY, "the scheduler is shutting down");
            }
            if (waiting.size() >= options.maxWaiting()) {
                throw new Gpt4VideoException(ErrorCode.QUEUE_FULL, "too many requests are waiting ("
                        + waiting.size() + "); try again later");
            }
            waiting.add(run);
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        return new GenerationHandle(run.future, () -> cancel(run));
    }

    private void cancel(DecodingRun run) {
        boolean wasWaiting;
        lock.lock();
        try {
            wasWaiting = waiting.remove(run);
            if (!wasWaiting) {
                run.requestCancel();
                wake.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (wasWaiting) {
            cancelled.incrementAndGet();
            run.cancel();
        }
    }

    @Override
    public SchedulerStats stats() {
        int queued;
        lock.lock();
        try {
            queued = waiting.size();
        } finally {
            lock.unlock();
        }
        return new SchedulerStats(queued, running.get(), sequences, kvUsed.get(), options.kvTokenBudget(),
                completed.get(), cancelled.get(), failed.get(), steps.get(), generated.get());
    }

    public SchedulerOptions options() {
        return options;
    }

    private void loop() {
        try {
            while (true) {
                List<DecodingRun> admitted = new ArrayList<>();
                lock.lock();
                try {
                    while (!closing && waiting.isEmpty() && active.isEmpty()) {
                        wake.awaitUninterruptibly();
                    }
                    if (closing) {
                        break;
                    }
                    int rows = 0;
                    for (DecodingRun r : active) {
                        rows += r.request.beamWidth();
                    }
                    while (!waiting.isEmpty()) {
                        DecodingRun head = waiting.peek();
                        // Arrival order: a request that does not fit yet holds back the ones behind it.
                        if (rows + head.request.beamWidth() > options.maxBatchSize()
                                || kvUsed.get() + head.kvTokens() > options.kvTokenBudget()) {
                            break;
                        }
                        waiting.poll();
                        rows += head.request.beamWidth();
                        kvUsed.addAndGet(head.kvTokens());
                        running.incrementAndGet();
                        admitted.add(head);
                    }
                } finally {
                    lock.unlock();
                }
                reapCancelled();
                for (DecodingRun run : admitted) {
                    admit(run);
                }
                updateGauges();
                if (!active.isEmpty()) {
                    step();
                    reapCancelled();
                    updateGauges();
                }
            }
        } catch (Throwable t) {
            LOG.error("LLM scheduler loop stopped unexpectedly", t);
        } finally {
            shutdownRuns();
        }
    }

    private void admit(DecodingRun run) {
        if (run.cancelRequested()) {
            cancelRun(run);
            return;
        }
        try {
            run.start();
        } catch (RuntimeException e) {
            failRun(run, e);
            return;
        }
        if (run.finished()) {
            finishRun(run);
        } else {
            active.add(run);
        }
    }

    /** One batched step for every active run; a run whose rows fail is failed alone. */
    private void step() {
        List<KvCache> caches = new ArrayList<>();
        int[] inputs = new int[0];
        int[] offsets = new int[active.size()];
        List<int[]> perRun = new ArrayList<>();
        for (int i = 0; i < active.size(); i++) {
            DecodingRun run = active.get(i);
            offsets[i] = caches.size();
            caches.addAll(run.caches());
            perRun.add(run.inputs());
        }
        inputs = new int[caches.size()];
        for (int i = 0; i < perRun.size(); i++) {
            System.arraycopy(perRun.get(i), 0, inputs, offsets[i], perRun.get(i).length);
        }
        float[][] logits;
        try {
            logits = context.model().decode(caches, inputs);
        } catch (RuntimeException e) {
            if (active.size() == 1) {
                failRun(active.remove(0), e);
                return;
            }
            LOG.warn("batched decode step failed ({}); retrying each request alone", e.toString());
            stepOneByOne(perRun);
            return;
        }
        steps.incrementAndGet();
        Iterator<DecodingRun> it = active.iterator();
        for (int i = 0; it.hasNext(); i++) {
            DecodingRun run = it.next();
            try {
                run.accept(logits, offsets[i]);
            } catch (RuntimeException e) {
                it.remove();
                failRun(run, e);
                continue;
            }
            if (run.finished()) {
                it.remove();
                finishRun(run);
            }
        }
    }

    private void stepOneByOne(List<int[]> inputs) {
        Iterator<DecodingRun> it = active.iterator();
        for (int i = 0; it.hasNext(); i++) {
            DecodingRun run = it.next();
            try {
                run.accept(context.model().decode(run.caches(), inputs.get(i)), 0);
            } catch (RuntimeException e) {
                it.remove();
                failRun(run, e);
                continue;
            }
            if (run.finished()) {
                it.remove();
                finishRun(run);
            }
        }
        steps.incrementAndGet();
    }

    private void reapCancelled() {
        Iterator<DecodingRun> it = active.iterator();
        while (it.hasNext()) {
            DecodingRun run = it.next();
            if (run.cancelRequested()) {
                it.remove();
                cancelRun(run);
            }
        }
    }

    // Accounting first, completion last: whoever waits on the result sees the stats already updated.

    private void finishRun(DecodingRun run) {
        release(run);
        completed.incrementAndGet();
        generated.addAndGet(run.generatedCount());
        run.complete();
    }

    private void cancelRun(DecodingRun run) {
        release(run);
        cancelled.incrementAndGet();
        run.cancel();
    }

    private void failRun(DecodingRun run, RuntimeException e) {
        LOG.warn("generation request failed: {}", e.toString());
        release(run);
        failed.incrementAndGet();
        run.fail(e);
    }

    private void release(DecodingRun run) {
        run.releaseCaches();
        kvUsed.addAndGet(-run.kvTokens());
        running.decrementAndGet();
    }

    private void updateGauges() {
        int n = 0;
        for (DecodingRun r : active) {
            n += r.caches().size();
        }
        sequences = n;
    }

    private void shutdownRuns() {
        List<DecodingRun> left;
        lock.lock();
        try {
            closing = true;
            left = new ArrayList<>(waiting);
            waiting.clear();
        } finally {
            lock.unlock();
        }
        for (DecodingRun run : left) {
            cancelled.incrementAndGet();
            run.cancel();
        }
        for (DecodingRun run : active) {
            cancelRun(run);
        }
        active.clear();
        updateGauges();
    }

    /** Cancels everything waiting or running, then stops the loop thread (waits for it). */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != loop) {
            try {
                loop.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
