package dev.gpt4video.t2v.jobs;

/**
 * Something that happened to a job, for the server to forward as an SSE or WebSocket event named
 * {@link #type()}. Every event carries the job's snapshot as of that moment.
 */
public sealed interface VideoJobEvent {
    VideoJob job();

    /** {@code queued}, {@code started}, {@code progress}, {@code completed}, {@code failed} or {@code cancelled}. */
    String type();

    record Queued(VideoJob job) implements VideoJobEvent {
        public String type() {
            return "queued";
        }
    }

    record Started(VideoJob job) implements VideoJobEvent {
        public String type() {
            return "started";
        }
    }

    /** After denoising step {@code step} of {@code totalSteps}. */
    record Progress(VideoJob job, int step, int totalSteps) implements VideoJobEvent {
        public String type() {
            return "progress";
        }
    }

    record Completed(VideoJob job, VideoArtifact artifact) implements VideoJobEvent {
        public String type() {
            return "completed";
        }
    }

    record Failed(VideoJob job, JobError error) implements VideoJobEvent {
        public String type() {
            return "failed";
        }
    }

    record Cancelled(VideoJob job) implements VideoJobEvent {
        public String type() {
            return "cancelled";
        }
    }
}
