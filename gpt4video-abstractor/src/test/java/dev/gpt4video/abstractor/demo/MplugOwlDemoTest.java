package dev.gpt4video.abstractor.demo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.abstractor.AbstractorMode;
import dev.gpt4video.abstractor.VisualPipeline;
import dev.gpt4video.core.bundle.ComponentRoles;
import dev.gpt4video.core.bundle.DemoBundleGenerator;
import dev.gpt4video.core.bundle.DemoComponent;
import dev.gpt4video.core.bundle.ModelManifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MplugOwlDemoTest {

    private static DemoBundleGenerator generator() {
        return new DemoBundleGenerator(List.of(new MplugOwlVisionDemo(), new MplugOwlAbstractorDemo()));
    }

    @Test
    void registeredAsServices() {
        assertThat(DemoBundleGenerator.discover().components()).extracting(DemoComponent::type)
                .contains(MplugOwlVisionDemo.TYPE, MplugOwlAbstractorDemo.TYPE);
    }

    @Test
    void writesAPipelineThatLoadsStrictlyAndEncodes(@TempDir Path tmp) {
        ModelManifest manifest = generator().generate(tmp.resolve("demo"), 42);
        Path vision = manifest.component(ComponentRoles.VISION).orElseThrow().path();
        Path abstractor = manifest.component(ComponentRoles.ABSTRACTOR).orElseThrow().path();
        assertThat(manifest.component(ComponentRoles.VISION).orElseThrow().type()).isEqualTo("mplug-owl-video-vision");
        assertThat(manifest.component(ComponentRoles.ABSTRACTOR).orElseThrow().options())
                .containsEntry("llm_hidden_size", 64).containsEntry("mode", "mplug-owl-video");
        try (NDManager manager = NDManager.newBaseManager();
             VisualPipeline pipeline = VisualPipeline.load(vision, abstractor, AbstractorMode.MPLUG_OWL_VIDEO,
                     manager.newSubManager(), DataType.FLOAT32)) {
            NDArray video = manager.randomNormal(new Shape(2, 3, 4, 28, 28));
            NDArray out = pipeline.encode(video);
            assertThat(out.getShape().getShape()).containsExactly(2, 5, 64);
            float[] v = out.toFloatArray();
            for (float x : v) {
                assertThat(Float.isFinite(x)).isTrue();
            }
            NDArray image = pipeline.encode(manager.randomNormal(new Shape(1, 3, 28, 28)));
            assertThat(image.getShape().getShape()).containsExactly(1, 5, 64);
        }
    }

    @Test
    void sameSeedSameBytes(@TempDir Path tmp) throws Exception {
        generator().generate(tmp.resolve("a"), 7);
        generator().generate(tmp.resolve("b"), 7);
        for (String f : new String[] {"vision/model.safetensors", "vision/config.json", "abstractor/model.safetensors"}) {
            assertThat(Files.readAllBytes(tmp.resolve("a").resolve(f))).as(f).isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(f)));
        }
    }
}
