package dev.gpt4video.server.files;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gpt4video.abstractor.decode.DecodedFrames;
import dev.gpt4video.abstractor.decode.VideoDecoder;
import dev.gpt4video.abstractor.decode.VideoProbe;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.safety.SafetyDecision;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyStage;
import dev.gpt4video.server.chat.VisionEngine;
import dev.gpt4video.server.metrics.ServerMetrics;
import dev.gpt4video.server.models.ModelRegistry;
import dev.gpt4video.server.serving.ServingModel;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The OpenAI Files API for input videos: upload (multipart), list, retrieve, download, delete.
 * An upload is probed with FFmpeg and its frames go through the input-video safety stage; the
 * file object carries both as the extension fields {@code video} and {@code safety}.
 */
@RestController
public class FilesController {
    private static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg",
            "mpeg", "ts", "gif", "ogv", "3gp", "flv", "wmv");
    private static final int SAFETY_FRAMES = 4;

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record FileObject(String id, String object, long bytes, @JsonProperty("created_at") long createdAt,
                             String filename, String purpose, String status, Map<String, Object> video,
                             Map<String, Object> safety) {
        static FileObject of(StoredFile f) {
            return new FileObject(f.id(), "file", f.bytes(), f.createdAt(), f.filename(), f.purpose(), "processed",
                    f.video(), f.safety());
        }
    }

    public record FileList(String object, List<FileObject> data) {
    }

    public record Deleted(String id, String object, boolean deleted) {
    }

    private final FileStore store;
    private final VideoDecoder decoder;
    private final ModelRegistry registry;
    private final ServerMetrics metrics;

    public FilesController(FileStore store, VideoDecoder decoder, ModelRegistry registry, ServerMetrics metrics) {
        this.store = store;
        this.decoder = decoder;
        this.registry = registry;
        this.metrics = metrics;
    }

    @PostMapping(value = "/v1/files", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public FileObject upload(@RequestPart(value = "file", required = false) MultipartFile file,
                             @RequestParam(value = "purpose", required = false) String purpose) throws IOException {
        if (file == null || file.isEmpty()) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "file: a non-empty multipart part named 'file' is required");
        }
        String name = file.getOriginalFilename() == null ? "upload" : file.getOriginalFilename();
        if (!looksLikeVideo(file.getContentType(), name)) {
            throw new Gpt4VideoException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "file: '" + name + "' ("
                    + file.getContentType() + ") is not a video; upload MP4, WebM, MKV, MOV, AVI or GIF");
        }
        ServingModel serving = registry.serving();
        FileStore.Staged staged;
        try (InputStream in = file.getInputStream()) {
            staged = store.stage(in);
        }
        try {
            long t0 = System.nanoTime();
            VideoProbe probe = decoder.probe(staged.content());
            DecodedFrames sampled = decoder.sample(staged.content(), SAFETY_FRAMES);
            metrics.videoDecode(System.nanoTime() - t0);
            SafetyDecision verdict = serving.safety().check(SafetyInput.frames(SafetyStage.INPUT_VIDEO,
                    toFrames(sampled)));
            metrics.safetyDecision(verdict);
            return FileObject.of(store.commit(staged, name, purpose == null ? "vision" : purpose, describe(probe, sampled),
                    describe(verdict, serving.safety().name())));
        } catch (RuntimeException e) {
            store.discard(staged);
            throw e;
        }
    }

    private static dev.gpt4video.core.video.Frames toFrames(DecodedFrames d) {
        return VisionEngine.toFrames(d);
    }

    static boolean looksLikeVideo(String contentType, String filename) {
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (ct.startsWith("video/") || ct.equals("image/gif")) {
            return true;
        }
        int dot = filename.lastIndexOf('.');
        String ext = dot < 0 ? "" : filename.substring(dot + 1).toLowerCase(Locale.ROOT);
        return (ct.isEmpty() || ct.equals("application/octet-stream")) && VIDEO_EXTENSIONS.contains(ext);
    }

    static Map<String, Object> describe(VideoProbe p, DecodedFrames sampled) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("container", p.container());
        m.put("codec", p.codec());
        m.put("duration", p.durationSeconds());
        m.put("fps", p.fps());
        m.put("frames", sampled.totalFrames());
        m.put("width", p.displayWidth());
        m.put("height", p.displayHeight());
        m.put("rotation", p.rotation());
        return m;
    }

    static Map<String, Object> describe(SafetyDecision d, String gate) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gate", gate);
        m.put("stage", d.stage().id());
        m.put("action", d.action().id());
        m.put("flagged", d.action() != dev.gpt4video.core.safety.SafetyAction.ALLOW);
        m.put("categories", d.categories());
        m.put("scores", d.scores());
        return m;
    }

    @GetMapping("/v1/files")
    public FileList list() {
        return new FileList("list", store.list().stream().map(FileObject::of).toList());
    }

    @GetMapping("/v1/files/{id}")
    public FileObject get(@PathVariable String id) {
        return FileObject.of(store.require(id));
    }

    @GetMapping("/v1/files/{id}/content")
    public ResponseEntity<Resource> content(@PathVariable String id) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(new FileSystemResource(store.content(id)));
    }

    @DeleteMapping("/v1/files/{id}")
    public Deleted delete(@PathVariable String id) {
        if (!store.delete(id)) {
            throw new Gpt4VideoException(ErrorCode.NOT_FOUND, "No such file: '" + id + "'");
        }
        return new Deleted(id, "file", true);
    }
}
