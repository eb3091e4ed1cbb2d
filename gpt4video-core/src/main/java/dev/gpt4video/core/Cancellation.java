package dev.gpt4video.core;

import java.util.concurrent.atomic.AtomicBoolean;

/** A flag a request's owner sets and long-running work polls between steps. */
public final class Cancellation {
    private final AtomicBoolean cancelled = new AtomicBoolean();

    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    /** Throws {@link ErrorCode#CANCELLED} when cancelled; call it between steps. */
    public void throwIfCancelled() {
        if (cancelled.get()) {
            throw new Gpt4VideoException(ErrorCode.CANCELLED, "cancelled");
        }
    }
}
