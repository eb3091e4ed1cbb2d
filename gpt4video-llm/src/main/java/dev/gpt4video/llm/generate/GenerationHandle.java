package dev.gpt4video.llm.generate;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** A submitted request: its result to come, and a way to cancel it. */
public final class GenerationHandle {
    private final CompletableFuture<GenerationResult> result;
    private final Runnable canceller;

    /** For {@link Scheduler} implementations: the future they complete and how to stop the request. */
    public GenerationHandle(CompletableFuture<GenerationResult> result, Runnable canceller) {
        this.result = result;
        this.canceller = canceller;
    }

    /**
     * Completes with the result (finish reason {@code cancelled} after {@link #cancel()}), or
     * exceptionally with a {@link Gpt4VideoException}. Do not complete it yourself.
     */
    public CompletableFuture<GenerationResult> result() {
        return result;
    }

    /**
     * Stops the request: a waiting one leaves the queue at once, a running one at the next step
     * boundary, when its KV cache is freed. The result keeps the tokens emitted so far.
     */
    public void cancel() {
        canceller.run();
    }

    public boolean isDone() {
        return result.isDone();
    }

    /** Waits for the result; a failure is rethrown as the request's {@link Gpt4VideoException}. */
    public GenerationResult await() {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            throw new Gpt4VideoException(ErrorCode.CANCELLED, "interrupted while waiting for generation", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Gpt4VideoException g) {
                throw g;
            }
            throw new Gpt4VideoException(ErrorCode.GENERATION_FAILED, "generation failed: " + cause, cause);
        }
    }
}
