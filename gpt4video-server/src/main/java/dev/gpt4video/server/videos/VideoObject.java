package dev.gpt4video.server.videos;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gpt4video.t2v.jobs.VideoJob;

import java.util.Map;

/**
 * A generated video in the OpenAI Videos API shape ({@code object: "video"}), with extension
 * fields: {@code queue_position}, {@code prompt}, {@code url}, {@code placeholder} and the backend's
 * {@code metadata}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record VideoObject(String id, String object, String model, String status, int progress,
                          @JsonProperty("queue_position") int queuePosition,
                          @JsonProperty("created_at") long createdAt,
                          @JsonProperty("completed_at") Long completedAt,
                          @JsonProperty("expires_at") Long expiresAt,
                          String size, String seconds, String prompt, String url, boolean placeholder,
                          Error error, Map<String, Object> metadata) {

    public record Error(String code, String message) {
    }

    public static VideoObject of(VideoJob job, java.time.Duration ttl) {
        var r = job.request();
        int fps = r.fps() == null ? 8 : r.fps();
        int frames = r.frames() == null ? 0 : r.frames();
        boolean completed = job.state() == dev.gpt4video.t2v.jobs.JobState.COMPLETED;
        Long finished = job.finishedAt() == null ? null : job.finishedAt().getEpochSecond();
        return new VideoObject(job.id(), "video", job.backend(), job.state().wireName(), job.progress(),
                job.queuePosition(), job.createdAt().getEpochSecond(), completed ? finished : null,
                finished == null ? null : finished + ttl.toSeconds(),
                r.width() + "x" + r.height(), String.format(java.util.Locale.ROOT, "%.2f", frames / (double) fps),
                r.caption(), completed ? "/v1/videos/" + job.id() + "/content" : null,
                Boolean.TRUE.equals(job.metadata().get("placeholder")) || "placeholder".equals(job.backend()),
                job.error() == null ? null : new Error(job.error().code(), job.error().message()), job.metadata());
    }
}
