package dev.gpt4video.t2v.jobs;

import dev.gpt4video.core.t2v.T2vRequest;

import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of one video job, as the server reports it.
 *
 * @param id            {@code video_} followed by 24 hex digits
 * @param backend       registry name of the backend that runs it
 * @param request       the request resolved against the backend's defaults
 * @param progress      0..100; 99 at most until the MP4 is stored, 100 when completed
 * @param queuePosition 1 for the next job to run on its backend, 0 once started or finished
 * @param error         set when {@link JobState#FAILED}
 * @param metadata      the backend's metadata (backend name, placeholder flag…) once completed
 * @param artifact      the stored files once {@link JobState#COMPLETED}
 */
public record VideoJob(String id, String backend, T2vRequest request, JobState state, int progress,
                       int queuePosition, Instant createdAt, Instant startedAt, Instant finishedAt, JobError error,
                       Map<String, Object> metadata, VideoArtifact artifact) {
    public VideoJob {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
