package dev.gpt4video.server.videos;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.safety.SafetyDecision;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyStage;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.server.metrics.ServerMetrics;
import dev.gpt4video.server.models.ModelRegistry;
import dev.gpt4video.server.serving.ServingModel;
import dev.gpt4video.server.serving.StorageProperties;
import dev.gpt4video.t2v.jobs.VideoJob;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * The OpenAI Videos API over the text-to-video job manager: create, poll, download (with range
 * requests), list, cancel/delete. Chat-triggered generations are the same jobs with the same ids.
 */
@RestController
public class VideosController {

    /**
     * {@code POST /v1/videos}. {@code model} names a backend ({@code null} or the served model id:
     * the default backend); {@code size} is {@code WIDTHxHEIGHT}; {@code seconds} is converted to
     * frames at the backend's fps. The other fields are extensions.
     */
    public record CreateVideo(String model, String prompt, String seconds, String size,
                              @JsonProperty("negative_prompt") String negativePrompt,
                              @JsonProperty("num_frames") Integer numFrames,
                              @JsonProperty("num_inference_steps") Integer steps,
                              @JsonProperty("guidance_scale") Double guidanceScale,
                              Long seed, Integer fps) {
    }

    public record VideoList(String object, List<VideoObject> data) {
    }

    public record DeletedVideo(String id, String object, boolean deleted, String status) {
    }

    private final ModelRegistry registry;
    private final StorageProperties storage;
    private final ServerMetrics metrics;

    public VideosController(ModelRegistry registry, StorageProperties storage, ServerMetrics metrics) {
        this.registry = registry;
        this.storage = storage;
        this.metrics = metrics;
    }

    @PostMapping(value = "/v1/videos", consumes = MediaType.APPLICATION_JSON_VALUE)
    public VideoObject create(@RequestBody CreateVideo body) {
        ServingModel serving = registry.serving();
        if (body.prompt() == null || body.prompt().isBlank()) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "prompt: is required");
        }
        String backend = body.model() == null || body.model().equals(serving.id()) ? null : body.model();
        BackendCapabilities caps = serving.videos().capabilities(backend);
        checkSafety(serving, body.prompt());
        Integer width = null;
        Integer height = null;
        if (body.size() != null) {
            String[] wh = body.size().toLowerCase(java.util.Locale.ROOT).split("x");
            try {
                width = Integer.parseInt(wh[0].strip());
                height = Integer.parseInt(wh[1].strip());
            } catch (RuntimeException e) {
                throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "size: expected WIDTHxHEIGHT, got '" + body.size() + "'");
            }
        }
        int fps = body.fps() != null ? body.fps() : caps.fps();
        Integer frames = body.numFrames();
        if (frames == null && body.seconds() != null) {
            try {
                frames = (int) Math.round(Double.parseDouble(body.seconds()) * fps);
            } catch (NumberFormatException e) {
                throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "seconds: not a number: '" + body.seconds() + "'");
            }
        }
        T2vRequest request = new T2vRequest(body.prompt(), body.negativePrompt(), width, height, frames, body.steps(),
                body.guidanceScale(), body.seed(), body.fps());
        VideoJob job = serving.videos().submit(backend, request);
        return VideoObject.of(job, storage.videoTtl());
    }

    private void checkSafety(ServingModel serving, String prompt) {
        SafetyDecision d = serving.safety().check(SafetyInput.text(SafetyStage.OUTPUT_PROMPT, prompt));
        metrics.safetyDecision(d);
        if (d.blocked()) {
            metrics.refusal(d.stage().id());
            throw new Gpt4VideoException(ErrorCode.CONTENT_BLOCKED, d.refusal() != null ? d.refusal()
                    : "I'm sorry, but I can't assist with that request.");
        }
    }

    @GetMapping("/v1/videos")
    public VideoList list() {
        return new VideoList("list", registry.serving().videos().jobs().stream()
                .map(j -> VideoObject.of(j, storage.videoTtl())).toList());
    }

    @GetMapping("/v1/videos/{id}")
    public VideoObject get(@PathVariable String id) {
        return VideoObject.of(job(id), storage.videoTtl());
    }

    /** The MP4 ({@code variant=video}, the default) or its poster ({@code variant=thumbnail}); supports Range. */
    @GetMapping("/v1/videos/{id}/content")
    public ResponseEntity<Resource> content(@PathVariable String id,
                                            @RequestParam(defaultValue = "video") String variant) {
        var videos = registry.serving().videos();
        return switch (variant) {
            case "video" -> ResponseEntity.ok().contentType(MediaType.parseMediaType("video/mp4"))
                    .header("Accept-Ranges", "bytes").body(new FileSystemResource(videos.videoPath(id)));
            case "thumbnail" -> ResponseEntity.ok().contentType(MediaType.IMAGE_PNG)
                    .body(new FileSystemResource(videos.posterPath(id)));
            default -> throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                    "variant: expected 'video' or 'thumbnail', got '" + variant + "'");
        };
    }

    /** Cancels a queued or running job, or deletes a finished one with its files. */
    @DeleteMapping("/v1/videos/{id}")
    public DeletedVideo delete(@PathVariable String id) {
        VideoJob before = job(id);
        VideoJob after = registry.serving().videos().delete(id);
        boolean deleted = before.state() != dev.gpt4video.t2v.jobs.JobState.QUEUED
                && before.state() != dev.gpt4video.t2v.jobs.JobState.IN_PROGRESS;
        return new DeletedVideo(id, "video.deleted", deleted, after.state().wireName());
    }

    private VideoJob job(String id) {
        return registry.serving().videos().job(id)
                .orElseThrow(() -> new Gpt4VideoException(ErrorCode.NOT_FOUND, "No video with id '" + id + "'"));
    }

}
