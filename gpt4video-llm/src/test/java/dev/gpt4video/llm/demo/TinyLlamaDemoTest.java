package dev.gpt4video.llm.demo;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.core.bundle.ComponentRoles;
import dev.gpt4video.core.bundle.ComponentSpec;
import dev.gpt4video.core.bundle.DemoBundleGenerator;
import dev.gpt4video.core.bundle.DemoComponent;
import dev.gpt4video.core.bundle.ModelManifest;
import dev.gpt4video.llm.generate.GenerationRequest;
import dev.gpt4video.llm.generate.GenerationResult;
import dev.gpt4video.llm.generate.Generator;
import dev.gpt4video.llm.llama.LlamaModel;
import dev.gpt4video.llm.llama.Segment;
import dev.gpt4video.llm.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TinyLlamaDemoTest {

    private static DemoBundleGenerator generator() {
        return new DemoBundleGenerator(List.of(new TinyLlamaDemo()));
    }

    @Test
    void registeredAsAService() {
        assertThat(DemoBundleGenerator.discover().components()).extracting(DemoComponent::type)
                .contains(TinyLlamaDemo.TYPE);
    }

    @Test
    void writesAModelThatLoadsStrictlyAndGeneratesText(@TempDir Path tmp) {
        ModelManifest manifest = generator().generate(tmp.resolve("demo"), 42);
        ComponentSpec spec = manifest.component(ComponentRoles.LLM).orElseThrow();
        assertThat(spec.type()).isEqualTo("llama");
        Tokenizer tokenizer = Tokenizer.load(spec.path());
        assertThat(tokenizer.vocabSize()).isEqualTo(TinyLlamaDemo.CONFIG.vocabSize());
        try (NDManager root = NDManager.newBaseManager();
             LlamaModel model = LlamaModel.load(spec.path(), root, DataType.FLOAT32, LlamaModel.LoadOptions.defaults())) {
            assertThat(model.config()).isEqualTo(TinyLlamaDemo.CONFIG);
            int[] prompt = tokenizer.encode("Describe the video.", true, false);
            float[] video = new float[5 * 64];
            GenerationResult r = new Generator(model, tokenizer).generate(GenerationRequest.builder(
                    List.of(Segment.tokens(prompt), Segment.embeddings(video, 5, 64))).maxTokens(12).temperature(0).build());
            assertThat(r.usage().promptTokens()).isEqualTo(prompt.length + 5);
            assertThat(r.tokenIds()).isNotEmpty();
            assertThat(r.text()).isEqualTo(tokenizer.decode(r.tokenIds()));
        }
    }

    @Test
    void sameSeedSameBytes(@TempDir Path tmp) throws Exception {
        generator().generate(tmp.resolve("a"), 7);
        generator().generate(tmp.resolve("b"), 7);
        for (String f : new String[] {"llm/config.json", "llm/model.safetensors", "llm/tokenizer.model"}) {
            assertThat(Files.readAllBytes(tmp.resolve("a").resolve(f))).as(f)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(f)));
        }
    }
}
