package dev.gpt4video.abstractor.decode;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.time.Duration;

/**
 * The deadline of one decode call. The watchdog thread calls {@link #expire()}; FFmpeg's interrupt
 * callback and the decode loop poll {@link #aborted()}, so a stuck or slow decode stops at the next
 * packet, frame or I/O wait. An interrupt of the calling thread cancels the call the same way.
 */
final class DecodeSession {
    private final Duration timeout;
    private final Thread owner;
    private volatile boolean expired;

    DecodeSession(Duration timeout) {
        this.timeout = timeout;
        this.owner = Thread.currentThread();
    }

    void expire() {
        expired = true;
    }

    boolean aborted() {
        return expired || owner.isInterrupted();
    }

    /** Throws the coded exception for an aborted call; does nothing otherwise. */
    void checkAborted() {
        if (expired) {
            throw new Gpt4VideoException(ErrorCode.VIDEO_DECODE_TIMEOUT,
                    "decoding took longer than the " + timeout.toMillis() + " ms limit and was stopped");
        }
        if (owner.isInterrupted()) {
            throw new Gpt4VideoException(ErrorCode.CANCELLED, "decoding was interrupted");
        }
    }
}
