package dev.gpt4video.server.models;

import dev.gpt4video.core.bundle.ModelManifest;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health component {@code models}: OUT_OF_SERVICE while loading, DOWN if loading failed, UP with the
 * model's name, label and components once loaded. It is part of the readiness group.
 */
@Component("models")
public class ModelsHealthIndicator implements HealthIndicator {
    private final ModelRegistry registry;

    public ModelsHealthIndicator(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Health health() {
        return switch (registry.phase()) {
            case LOADING -> Health.outOfService()
                    .withDetail("phase", "loading").withDetail("path", registry.source().toString()).build();
            case FAILED -> Health.down()
                    .withDetail("phase", "failed").withDetail("path", registry.source().toString())
                    .withDetail("error", registry.failure().orElse("unknown")).build();
            case READY -> {
                ModelRegistry.LoadedModel loaded = registry.requireModel();
                ModelManifest m = loaded.manifest();
                yield Health.up()
                        .withDetail("model", m.name())
                        .withDetail("label", m.label())
                        .withDetail("demo", m.demo())
                        .withDetail("path", loaded.source().toString())
                        .withDetail("components", m.componentTypes())

                        .build();
            }
        };
    }
}
