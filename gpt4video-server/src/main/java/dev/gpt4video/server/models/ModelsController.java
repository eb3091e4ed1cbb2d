package dev.gpt4video.server.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.bundle.ModelManifest;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.t2v.jobs.VideoJobs;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}} in the OpenAI shape, plus what the bundle is made of. */
@RestController
public class ModelsController {

    /**
     * OpenAI's model object with GPT4Video's extension fields {@code demo}, {@code label},
     * {@code components} and {@code video_backends} (the text-to-video backends a chat's
     * {@code video_backend} or a video's {@code model} may name).
     */
    public record ModelCard(String id, String object, long created, @JsonProperty("owned_by") String ownedBy,
                            boolean demo, String label, Map<String, String> components,
                            @JsonProperty("video_backends") List<VideoBackend> videoBackends) {

        static ModelCard of(ModelRegistry.LoadedModel loaded, VideoJobs videos) {
            ModelManifest m = loaded.manifest();
            List<String> names = videos.backends();   // the default first
            List<VideoBackend> backends = names.stream()
                    .map(name -> VideoBackend.of(name, name.equals(names.getFirst()), videos.capabilities(name)))
                    .toList();
            return new ModelCard(m.name(), "model", loaded.loadedAt().getEpochSecond(), "gpt4video",
                    m.demo(), m.label(), m.componentTypes(), backends);
        }
    }

    /**
     * A text-to-video backend: its name, whether it is the default, whether it is a placeholder
     * (no generative model behind it) and what it renders by default and at most.
     */
    public record VideoBackend(String name, @JsonProperty("default") boolean isDefault, boolean placeholder,
                               Capabilities capabilities) {

        static VideoBackend of(String name, boolean isDefault, BackendCapabilities c) {
            return new VideoBackend(name, isDefault, c.placeholder(), new Capabilities(c.width(), c.height(),
                    c.frames(), c.fps(), c.steps(), c.guidanceScale(), c.maxWidth(), c.maxHeight(), c.maxFrames(),
                    c.maxSteps()));
        }
    }

    /** {@link BackendCapabilities} in the API's snake_case. */
    public record Capabilities(int width, int height, int frames, int fps, int steps,
                               @JsonProperty("guidance_scale") double guidanceScale,
                               @JsonProperty("max_width") int maxWidth, @JsonProperty("max_height") int maxHeight,
                               @JsonProperty("max_frames") int maxFrames, @JsonProperty("max_steps") int maxSteps) {
    }

    /** OpenAI's list envelope. */
    public record ModelList(String object, List<ModelCard> data) {
    }

    private final ModelRegistry registry;

    public ModelsController(ModelRegistry registry) {
        this.registry = registry;
    }

    @GetMapping("/v1/models")
    public ModelList list() {
        return new ModelList("list", List.of(card(registry.requireModel())));
    }

    @GetMapping("/v1/models/{id}")
    public ModelCard get(@PathVariable String id) {
        ModelRegistry.LoadedModel loaded = registry.requireModel();
        if (!loaded.manifest().name().equals(id)) {
            throw new Gpt4VideoException(ErrorCode.MODEL_NOT_FOUND, "no model '" + id + "'; this server has '"
                    + loaded.manifest().name() + "'");
        }
        return card(loaded);
    }

    private ModelCard card(ModelRegistry.LoadedModel loaded) {
        return ModelCard.of(loaded, registry.serving().videos());
    }
}
