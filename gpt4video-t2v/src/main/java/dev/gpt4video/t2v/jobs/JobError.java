package dev.gpt4video.t2v.jobs;

import java.util.Objects;

/**
 * Why a job failed: a stable code (an {@link dev.gpt4video.core.ErrorCode#code()} such as
 * {@code generation_failed}, or {@value VideoJobManager#INTERRUPTED} for jobs a restart cut short)
 * and a message for people.
 */
public record JobError(String code, String message) {
    public JobError {
        Objects.requireNonNull(code, "code");
        message = message == null ? code : message;
    }
}
