package dev.gpt4video.core.bundle;

import dev.gpt4video.core.Gpt4VideoException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoBundleGeneratorTest {

    @TempDir
    Path dir;

    @Test
    void discoversComponentsAndWritesADemoBundle() throws IOException {
        var generator = DemoBundleGenerator.discover();
        assertThat(generator.components()).extracting(DemoComponent::role).containsExactly(TestDemoComponent.ROLE);

        ModelManifest m = generator.generate(dir.resolve("demo"), 7);

        assertThat(m.demo()).isTrue();
        assertThat(m.name()).isEqualTo(DemoBundleGenerator.MODEL_NAME);
        assertThat(m.label()).isEqualTo("random weights — for plumbing only");
        assertThat(m.generator()).isEqualTo(generator.fingerprint(7));
        ComponentSpec noise = m.components().get(TestDemoComponent.ROLE);
        assertThat(noise.type()).isEqualTo(TestDemoComponent.TYPE);
        assertThat(noise.path()).isEqualTo(dir.resolve("demo/noise").toAbsolutePath());
        assertThat(noise.options()).isEqualTo(Map.of("size", TestDemoComponent.SIZE));
        assertThat(noise.path().resolve("weights/noise.bin")).hasSize(TestDemoComponent.SIZE * 4L);
        assertThat(Files.readString(dir.resolve("demo/README.txt"))).contains("random weights — for plumbing only", "seed 7");
        assertThat(Files.readString(dir.resolve("demo/manifest.json"))).contains("\"demo\": true");
        assertThat(files(dir)).allMatch(p -> p.startsWith("demo/"), "nothing left beside the bundle");
    }

    @Test
    void theSameSeedWritesByteIdenticalFiles() throws IOException {
        var generator = DemoBundleGenerator.discover();
        generator.generate(dir.resolve("a"), 42);
        generator.generate(dir.resolve("b"), 42);
        generator.generate(dir.resolve("c"), 43);

        Map<String, byte[]> a = contents(dir.resolve("a"));
        Map<String, byte[]> b = contents(dir.resolve("b"));
        assertThat(a.keySet()).containsExactly("README.txt", "manifest.json", "noise/config.json", "noise/weights/noise.bin");
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((name, bytes) -> assertThat(b.get(name)).as(name).isEqualTo(bytes));
        assertThat(contents(dir.resolve("c")).get("noise/weights/noise.bin")).isNotEqualTo(a.get("noise/weights/noise.bin"));
        assertThat(new String(a.get("noise/config.json"))).startsWith("{\n  \"dtype\": \"float32\",\n  \"model_type\"");
    }

    @Test
    void ensureRegeneratesOnlyWhenMissingOrStale() throws IOException {
        Path demo = dir.resolve("demo");
        var generator = DemoBundleGenerator.discover();

        assertThat(generator.ensure(demo, 42)).isTrue();
        Path marker = Files.writeString(demo.resolve("marker"), "left alone");
        assertThat(generator.ensure(demo, 42)).isFalse();
        assertThat(marker).exists();

        assertThat(generator.ensure(demo, 43)).as("another seed").isTrue();
        assertThat(marker).doesNotExist();

        Files.writeString(demo.resolve("marker"), "left alone");
        var newer = new DemoBundleGenerator(List.of(new TestDemoComponent() {
            @Override
            public String version() {
                return "2";
            }
        }));
        assertThat(newer.isCurrent(demo, 43)).isFalse();
        assertThat(newer.ensure(demo, 43)).as("another component version").isTrue();
        assertThat(marker).doesNotExist();
        assertThat(newer.ensure(demo, 43)).isFalse();
    }

    @Test
    void neverOverwritesAFolderThatIsNotADemoBundle() throws IOException {
        Path real = Files.createDirectories(dir.resolve("real"));
        Files.writeString(real.resolve("config.json"), "{}");

        assertThatThrownBy(() -> DemoBundleGenerator.discover().ensure(real, 42))
                .isInstanceOf(Gpt4VideoException.class).hasMessageContaining("refusing");
        assertThat(real.resolve("config.json")).exists();
    }

    @Test
    void rejectsTwoComponentsForOneRole() {
        assertThatThrownBy(() -> new DemoBundleGenerator(List.of(new TestDemoComponent(), new TestDemoComponent())))
                .isInstanceOf(Gpt4VideoException.class).hasMessageContaining("'noise'");
    }

    @Test
    void writesAnEmptyBundleWhenNoComponentExists() {
        ModelManifest m = new DemoBundleGenerator(List.of()).generate(dir.resolve("empty"), 42);

        assertThat(m.components()).isEmpty();
        assertThat(m.demo()).isTrue();
    }

    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static Map<String, byte[]> contents(Path root) throws IOException {
        var map = new TreeMap<String, byte[]>();
        for (String name : files(root)) {
            map.put(name, Files.readAllBytes(root.resolve(name)));
        }
        return map;
    }
}
