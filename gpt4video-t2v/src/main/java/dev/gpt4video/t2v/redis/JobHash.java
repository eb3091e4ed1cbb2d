package dev.gpt4video.t2v.redis;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.t2v.jobs.ArtifactStore;
import dev.gpt4video.t2v.jobs.JobError;
import dev.gpt4video.t2v.jobs.JobJson;
import dev.gpt4video.t2v.jobs.JobState;
import dev.gpt4video.t2v.jobs.VideoArtifact;
import dev.gpt4video.t2v.jobs.VideoJob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of a job's hash ({@code P:job:ID}), spelled out once; events on {@code P:events} carry
 * the same fields plus {@code type}, {@code step} and {@code total}. Times are epoch milliseconds;
 * {@code request}, {@code metadata} and {@code artifact} are JSON as in {@code job.json}.
 */
final class JobHash {
    static final String ID = "id";
    static final String BACKEND = "backend";
    static final String STATE = "state";
    static final String PROGRESS = "progress";
    static final String CREATED_AT = "created_at";
    static final String STARTED_AT = "started_at";
    static final String FINISHED_AT = "finished_at";
    static final String REQUEST = "request";
    static final String ERROR_CODE = "error_code";
    static final String ERROR_MESSAGE = "error_message";
    static final String METADATA = "metadata";
    static final String ARTIFACT = "artifact";
    /** The server that took the request (its events are counted in its metrics). */
    static final String SERVER = "server";
    /** Consumer name of the worker running it. */
    static final String WORKER = "worker";
    /** Which delivery of the job is running (1 for the first). */
    static final String ATTEMPT = "attempt";
    /** "1" once a cancel was asked for while it ran. */
    static final String CANCEL = "cancel";
    /** Graceful hand-backs by stopping workers, which do not count as deliveries. */
    static final String RELEASES = "releases";
    /** Submission order, the score in the backend's queue. */
    static final String SEQ = "seq";

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobHash() {
    }

    /** The fields of a job as submitted. */
    static Map<String, String> submitted(VideoJob job, String server) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put(ID, job.id());
        f.put(BACKEND, job.backend());
        f.put(STATE, job.state().wireName());
        f.put(PROGRESS, "0");
        f.put(CREATED_AT, Long.toString(job.createdAt().toEpochMilli()));
        f.put(REQUEST, JobJson.writeRequest(job.request()));
        f.put(SERVER, server);
        return f;
    }

    /** The job the fields describe; artifact paths are in {@code store}. */
    static VideoJob read(Map<String, String> f, ArtifactStore store, int queuePosition) {
        String id = f.get(ID);
        try {
            JobError error = f.get(ERROR_CODE) == null ? null : new JobError(f.get(ERROR_CODE), f.get(ERROR_MESSAGE));
            Map<String, Object> metadata = f.get(METADATA) == null ? Map.of() : JobJson.readMetadata(f.get(METADATA));
            VideoArtifact artifact = null;
            if (f.get(ARTIFACT) != null) {
                Path dir = store.jobDirectory(id);
                artifact = JobJson.readArtifact(f.get(ARTIFACT), dir.resolve(ArtifactStore.VIDEO_FILE),
                        dir.resolve(ArtifactStore.POSTER_FILE));
            }
            return new VideoJob(id, f.get(BACKEND), JobJson.readRequest(f.get(REQUEST)),
                    JobState.fromWireName(f.get(STATE)), integer(f.get(PROGRESS)), queuePosition,
                    instant(f.get(CREATED_AT)), instant(f.get(STARTED_AT)), instant(f.get(FINISHED_AT)), error, metadata,
                    artifact);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("job hash of " + id + " is unreadable: " + e.getMessage(), e));
        }
    }

    /** A {@code P:backends} value: what the backend produces and accepts, as JSON. */
    static String writeCapabilities(BackendCapabilities capabilities) {
        try {
            return JSON.writeValueAsString(capabilities);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BackendCapabilities readCapabilities(String json) {
        try {
            return JSON.readValue(json, BackendCapabilities.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instant instant(String millis) {
        return millis == null || millis.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    }

    private static int integer(String s) {
        return s == null || s.isEmpty() ? 0 : Integer.parseInt(s);
    }
}
