package dev.gpt4video.llm.generate;

/**
 * Accepts generation requests for one model and runs them, concurrently where it can.
 *
 * <pre>{@code
 * try (Scheduler s = new BatchScheduler(model, tokenizer, SchedulerOptions.defaults(model.config()))) {
 *     GenerationHandle h = s.submit(request, new TokenListener() {
 *         public void onToken(GeneratedToken t) { sink.send(t.text()); }
 *     });
 *     GenerationResult r = h.await();
 * }
 * }</pre>
 */
public interface Scheduler extends AutoCloseable {

    /**
     * Queues a request; returns at once.
     *
     * @throws dev.gpt4video.core.Gpt4VideoException {@code queue_full}, {@code context_length_exceeded}
     *     or {@code invalid_request}, without queueing
     */
    GenerationHandle submit(GenerationRequest request, TokenListener listener);

    default GenerationHandle submit(GenerationRequest request) {
        return submit(request, TokenListener.NONE);
    }

    /** Submits and waits. */
    default GenerationResult generate(GenerationRequest request) {
        return submit(request).await();
    }

    SchedulerStats stats();

    /** Stops accepting work, cancels what is waiting or running and stops the loop. */
    @Override
    void close();
}
