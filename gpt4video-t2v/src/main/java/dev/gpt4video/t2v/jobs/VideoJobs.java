package dev.gpt4video.t2v.jobs;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.core.t2v.T2vRequest;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Text-to-video jobs as the server sees them: submit, poll, cancel, delete, download, and events as
 * they happen. Two implementations: {@link VideoJobManager} runs the backends in this process
 * (single node); {@code dev.gpt4video.t2v.redis.RedisVideoJobs} hands jobs to workers over Redis
 * Streams (chat servers and GPU workers scaled apart, see {@code docs/distributed.md}).
 *
 * <pre>{@code
 * VideoJobs jobs = …;
 * try (VideoJobs.Subscription sub = jobs.addListener(e -> sse.send(e.type(), e.job()))) {
 *     VideoJob job = jobs.submit(null, new T2vRequest("a cat surfing", 42L)); // default backend
 *     …
 * }
 * }</pre>
 */
public interface VideoJobs extends AutoCloseable {

    /** Removes a listener. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Names of the backends jobs can be submitted to, the default first. */
    List<String> backends();

    /** What {@code backend} (null: the default) produces; {@link ErrorCode#MODEL_NOT_FOUND} for an unknown name. */
    BackendCapabilities capabilities(String backend);

    /** Jobs waiting (not yet started) on {@code backend}, for metrics. */
    int queueDepth(String backend);

    /**
     * Queues a job on {@code backend} (null: the default) and returns it as queued;
     * {@link ErrorCode#QUEUE_FULL} when that backend's queue is full.
     */
    VideoJob submit(String backend, T2vRequest request);

    Optional<VideoJob> job(String id);

    /** Every known job, newest first. */
    List<VideoJob> jobs();

    /**
     * Cancels a job: a queued one at once, a running one within one denoising step (it stays
     * {@code in_progress} until then). Finished jobs stay as they are.
     *
     * @return the job after the call
     */
    VideoJob cancel(String id);

    /** Removes a finished job and its files; a queued or running one is cancelled instead. Returns the job as it was. */
    VideoJob delete(String id);

    /** The MP4 of a completed job ({@link ErrorCode#NOT_FOUND} otherwise). */
    Path videoPath(String id);

    /** The poster PNG of a completed job ({@link ErrorCode#NOT_FOUND} otherwise). */
    Path posterPath(String id);

    /** Events of every job, in the order they happened per job, on one event thread. */
    Subscription addListener(VideoJobListener listener);

    /** Stops delivering events and lets go of threads and connections. */
    @Override
    void close();
}
