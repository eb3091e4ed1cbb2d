package dev.gpt4video.server.models;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.bundle.ModelManifest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}} in the OpenAI shape, plus what the bundle is made of. */
@RestController
public class ModelsController {

    /** OpenAI's model object with GPT4Video's extension fields {@code demo}, {@code label}, {@code components}. */
    public record ModelCard(String id, String object, long created, @JsonProperty("owned_by") String ownedBy,
                            boolean demo, String label, Map<String, String> components) {

        static ModelCard of(ModelRegistry.LoadedModel loaded) {
            ModelManifest m = loaded.manifest();
            return new ModelCard(m.name(), "model", loaded.loadedAt().getEpochSecond(), "gpt4video",
                    m.demo(), m.label(), m.componentTypes());
        }
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
        return new ModelList("list", List.of(ModelCard.of(registry.requireModel())));
    }

    @GetMapping("/v1/models/{id}")
    public ModelCard get(@PathVariable String id) {
        ModelRegistry.LoadedModel loaded = registry.requireModel();
        if (!loaded.manifest().name().equals(id)) {
            throw new Gpt4VideoException(ErrorCode.MODEL_NOT_FOUND, "no model '" + id + "'; this server has '"
                    + loaded.manifest().name() + "'");
        }
        return ModelCard.of(loaded);
    }
}
