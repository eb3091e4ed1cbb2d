package dev.gpt4video.server.models;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.bundle.ComponentSpec;
import dev.gpt4video.core.bundle.ModelManifest;
import dev.gpt4video.core.bundle.TestDemoComponent;
import dev.gpt4video.server.Gpt4VideoProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry without Spring: loading runs on the test thread and events are collected. */
class ModelRegistryTest {

    @TempDir
    Path dir;

    final List<ReadinessState> published = new ArrayList<>();

    ModelRegistry registry(Path models, Path demo, boolean generate) {
        var properties = new Gpt4VideoProperties(models, new Gpt4VideoProperties.Demo(demo, generate, 42));
        return new ModelRegistry(properties, null, event -> {
            if (event instanceof AvailabilityChangeEvent<?> change && change.getState() instanceof ReadinessState s) {
                published.add(s);
            }
        });
    }

    @Test
    void generatesTheMissingDemoBundleAndBecomesReady() {
        Path demo = dir.resolve("demo");
        ModelRegistry registry = registry(demo, demo, true);
        var health = new ModelsHealthIndicator(registry);
        assertThat(health.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

        registry.load();

        assertThat(registry.phase()).isEqualTo(ModelRegistry.Phase.READY);
        assertThat(registry.requireModel().manifest().components()).containsKeys(TestDemoComponent.ROLE, "vision", "abstractor");
        assertThat(published).containsExactly(ReadinessState.ACCEPTING_TRAFFIC);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void neverGeneratesIntoAPathThatIsNotTheDemoBundle() {
        ModelRegistry registry = registry(dir.resolve("typo"), dir.resolve("demo"), true);

        registry.load();

        assertThat(registry.phase()).isEqualTo(ModelRegistry.Phase.FAILED);
        assertThat(registry.failure()).hasValueSatisfying(f -> assertThat(f).contains("does not exist"));
        assertThat(dir.resolve("typo")).doesNotExist();
        assertThat(published).containsExactly(ReadinessState.REFUSING_TRAFFIC);
        assertThat(new ModelsHealthIndicator(registry).health().getStatus()).isEqualTo(Status.DOWN);
        assertThatThrownBy(registry::requireModel).isInstanceOf(Gpt4VideoException.class)
                .hasMessageContaining("loading failed")
                .extracting(e -> ((Gpt4VideoException) e).code()).isEqualTo(ErrorCode.NOT_READY);
    }

    @Test
    void putsReadinessBackWhileLoading() {
        ModelRegistry registry = registry(dir.resolve("demo"), dir.resolve("demo"), true);

        registry.onReadinessChange(new AvailabilityChangeEvent<>(this, ReadinessState.ACCEPTING_TRAFFIC));
        assertThat(published).containsExactly(ReadinessState.REFUSING_TRAFFIC);

        registry.load();
        published.clear();
        registry.onReadinessChange(new AvailabilityChangeEvent<>(this, ReadinessState.ACCEPTING_TRAFFIC));
        assertThat(published).isEmpty();
    }
}
