package dev.gpt4video.t2v.zeroscope;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.bundle.ComponentRoles;
import dev.gpt4video.core.bundle.DemoBundleGenerator;
import dev.gpt4video.core.bundle.DemoComponent;
import dev.gpt4video.core.bundle.ModelManifest;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.runtime.RuntimeOptions;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.t2v.text.ClipTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The t2v demo component: registered, byte-stable for a seed, and it loads and generates. */
class ZeroScopeDemoTest {

    @Test
    void isRegisteredForTheT2vRole() {
        List<DemoComponent> found = ServiceLoader.load(DemoComponent.class).stream().map(ServiceLoader.Provider::get)
                .filter(c -> c.role().equals(ComponentRoles.T2V)).toList();
        assertThat(found).singleElement().isInstanceOf(ZeroScopeDemo.class);
    }

    @Test
    void writesALoadableFolderThatGeneratesFramesAndIsByteStable(@TempDir Path tmp) throws IOException {
        var generator = new DemoBundleGenerator(List.of(new ZeroScopeDemo()));
        ModelManifest manifest = generator.generate(tmp.resolve("a"), 42);
        generator.generate(tmp.resolve("b"), 42);
        var spec = manifest.components().get(ComponentRoles.T2V);
        assertThat(spec.type()).isEqualTo("zeroscope-v2");
        assertThat(spec.path().resolve("model_index.json")).exists();
        assertThat(tree(tmp.resolve("a"))).isEqualTo(tree(tmp.resolve("b")));
        for (String f : tree(tmp.resolve("a"))) {
            assertThat(Files.readAllBytes(tmp.resolve("a").resolve(f))).as(f)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(f)));
        }

        ClipTokenizer tok = ClipTokenizer.load(spec.path().resolve("tokenizer"));
        int[] ids = tok.tokenize("A cat playing piano, cinematic video");
        assertThat(ids).doesNotContain(tok.eosId());
        assertThat(tok.tokenize("cat")).hasSize(1);

        ZeroScopeOptions options = ZeroScopeOptions.fromMap(spec.options());
        try (InferenceRuntime runtime = InferenceRuntime.create(RuntimeOptions.defaults());
             ZeroScopeBackend backend = ZeroScopeBackend.load(spec.path(), runtime, options)) {
            GeneratedVideo v = backend.generate(new T2vRequest("a cat playing piano", 1L), (s, n) -> { },
                    new Cancellation());
            assertThat(v.frames().count()).isEqualTo(ZeroScopeDemo.FRAMES);
            assertThat(v.frames().width()).isEqualTo(ZeroScopeDemo.WIDTH);
            assertThat(v.frames().height()).isEqualTo(ZeroScopeDemo.HEIGHT);
            assertThat(v.metadata()).containsEntry("steps", ZeroScopeDemo.STEPS);
            long distinct = java.util.stream.IntStream.range(0, v.frames().rgb().get(0).length)
                    .map(i -> v.frames().rgb().get(0)[i] & 0xFF).distinct().count();
            assertThat(distinct).as("distinct byte values in frame 0").isGreaterThan(16);
        }
    }

    private static List<String> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
