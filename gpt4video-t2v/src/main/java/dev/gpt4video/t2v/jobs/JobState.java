package dev.gpt4video.t2v.jobs;

import java.util.Locale;

/** Where a video job is; the lower-case {@link #wireName()} is what clients and {@code job.json} see. */
public enum JobState {
    QUEUED, IN_PROGRESS, COMPLETED, FAILED, CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    public static JobState fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
