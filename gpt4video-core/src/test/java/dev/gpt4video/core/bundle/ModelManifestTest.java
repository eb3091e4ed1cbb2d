package dev.gpt4video.core.bundle;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ModelManifestTest {

    @TempDir
    Path dir;

    @Test
    void writesRelativePathsAndReadsBackTheSameManifest() throws IOException {
        var components = new LinkedHashMap<String, ComponentSpec>();
        components.put("llm", new ComponentSpec("llama", dir.resolve("llama-7b"),
                Map.of("dtype", "float16", "layers", 32, "rope", Map.of("theta", 10000.0), "stops", List.of(2))));
        components.put("t2v", new ComponentSpec("zeroscope-v2", dir.resolve("weights/zeroscope")));
        components.put("safety", new ComponentSpec("keyword-policy", null));
        components.put("my-extra", new ComponentSpec("whatever", dir.resolve("extra")));
        var manifest = new ModelManifest("gpt4video-7b", "GPT4Video 7B", false, components, null);

        Path file = dir.resolve("manifest.json");
        manifest.write(file);

        assertThat(ModelManifest.read(file)).isEqualTo(manifest);
        String json = Files.readString(file);
        assertThat(json).contains("\"path\": \"llama-7b\"", "\"path\": \"weights/zeroscope\"")
                .doesNotContain(dir.toString()).endsWith("}\n");
        assertThat(json.indexOf("\"llm\"")).isLessThan(json.indexOf("\"t2v\""));
    }

    @Test
    void resolvesPathsAgainstTheManifestFolder() throws IOException {
        Path file = dir.resolve("bundles/a/manifest.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                {"name": "m", "components": {"llm": {"type": "llama", "path": "../shared/llama"}}}
                """);

        ModelManifest m = ModelManifest.read(file);

        assertThat(m.component("llm")).get().extracting(ComponentSpec::path)
                .isEqualTo(dir.resolve("bundles/shared/llama").toAbsolutePath().normalize());
        assertThat(m.label()).isEqualTo("m");
        assertThat(m.demo()).isFalse();
        assertThat(m.component("vision")).isEmpty();
    }

    @Test
    void constructorsNameTheBadField() {
        assertThatThrownBy(() -> new ModelManifest("has space", null, false, Map.of(), null))
                .isInstanceOf(Gpt4VideoException.class)
                .hasMessageContaining("'name'")
                .extracting(e -> ((Gpt4VideoException) e).code()).isEqualTo(ErrorCode.CONFIG_INVALID);
        assertThatThrownBy(() -> new ComponentSpec("", dir))
                .isInstanceOf(Gpt4VideoException.class).hasMessageContaining("'type'");
        assertThatThrownBy(() -> new ModelManifest("m", null, false, Map.of("LLM", new ComponentSpec("llama", dir)), null))
                .isInstanceOf(Gpt4VideoException.class).hasMessageContaining("'components'").hasMessageContaining("LLM");
    }

    @Test
    void readNamesTheBadFieldAndTheFile() throws IOException {
        assertThat(readError("{\"components\": {}}")).hasMessageContaining("'name' is missing");
        assertThat(readError("{\"name\": \"m\"}")).hasMessageContaining("'components'");
        assertThat(readError("{\"name\": \"m\", \"demo\": \"yes\", \"components\": {}}")).hasMessageContaining("'demo'");
        assertThat(readError("{\"name\": \"m\", \"components\": {\"llm\": {\"path\": \"x\"}}}"))
                .hasMessageContaining("'components.llm.type' is missing");
        assertThat(readError("{\"name\": \"m\", \"components\": {\"llm\": {\"type\": \"Bad Type\"}}}"))
                .hasMessageContaining("components.llm").hasMessageContaining("'type'");
        assertThat(readError("{\"name\": \"m\", \"components\": {\"llm\": {\"type\": \"llama\", \"options\": 3}}}"))
                .hasMessageContaining("'components.llm.options'");
        assertThat(readError("{\"name\": ")).hasMessageContaining("not valid JSON");
        assertThat(readError("{\"name\": \"m\", \"components\": {}}")).isNull();
    }

    @Test
    void forDirectoryUsesTheManifestFile() throws IOException {
        var manifest = new ModelManifest("bundle", "a bundle", true, Map.of("vision", new ComponentSpec("clip-vit", dir.resolve("clip"))), null);
        manifest.write(dir.resolve(ModelManifest.FILE_NAME));

        assertThat(ModelManifest.forDirectory(dir)).isEqualTo(manifest);
        assertThat(ModelManifest.load(dir)).isEqualTo(manifest);
        assertThat(ModelManifest.load(dir.resolve(ModelManifest.FILE_NAME))).isEqualTo(manifest);
    }

    @Test
    void forDirectoryRejectsAFolderThatIsNeitherABundleNorLlama() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}");
        Files.write(dir.resolve("model.safetensors"), new byte[8]);

        assertThatThrownBy(() -> ModelManifest.forDirectory(dir))
                .isInstanceOf(Gpt4VideoException.class).hasMessageContaining("'bert'");
        assertThatThrownBy(() -> ModelManifest.load(dir.resolve("missing")))
                .isInstanceOf(Gpt4VideoException.class).hasMessageContaining("does not exist");
    }

    @Test
    void forDirectoryMakesATextOnlyManifestForAHuggingFaceLlamaFolder() {
        Path stories = fixtures().resolve("stories260k");
        assumeTrue(Files.isDirectory(stories), "skipping: fixture folder " + stories + " is absent (set GPT4VIDEO_FIXTURES)");

        ModelManifest m = ModelManifest.forDirectory(stories);

        assertThat(m.name()).isEqualTo("stories260k");
        assertThat(m.demo()).isFalse();
        assertThat(m.components()).containsOnlyKeys("llm", "tokenizer");
        assertThat(m.components().get("llm")).isEqualTo(new ComponentSpec("llama", stories.toAbsolutePath().normalize()));
        assertThat(m.components().get("tokenizer").type()).isEqualTo("sentencepiece");
    }

    @Test
    void theExampleManifestForTheRealCheckpointsIsValid() {
        // Kept in the repository for people to copy; this keeps it readable as the format evolves.
        ModelManifest m = ModelManifest.read(Path.of("../models/examples/gpt4video-7b.json"));

        assertThat(m.name()).isEqualTo("gpt4video-7b");
        assertThat(m.demo()).isFalse();
        assertThat(m.components()).containsOnlyKeys(ComponentRoles.VISION, ComponentRoles.ABSTRACTOR, ComponentRoles.LLM,
                ComponentRoles.TOKENIZER, ComponentRoles.LORA, ComponentRoles.T2V, ComponentRoles.SAFETY);
        assertThat(m.components().get(ComponentRoles.LORA).options()).containsEntry("r", 16);
    }

    private Gpt4VideoException readError(String json) throws IOException {
        Path file = dir.resolve("case.json");
        Files.writeString(file, json);
        try {
            ModelManifest.read(file);
            return null;
        } catch (Gpt4VideoException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
            assertThat(e.getMessage()).contains(file.toString());
            return e;
        }
    }

    static Path fixtures() {
        String configured = System.getProperty("GPT4VIDEO_FIXTURES", System.getenv("GPT4VIDEO_FIXTURES"));
        return Path.of(configured != null ? configured : "../../shared/fixtures");
    }
}
