package dev.gpt4video.server.safety;

import dev.gpt4video.server.models.ModelRegistry;
import dev.gpt4video.server.serving.ServingModel;
import dev.gpt4video.safety.policy.ClassifierHealth;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code safety} in {@code /actuator/health}: the gate and each classifier's state. A classifier
 * that failed to load or whose latest call failed makes the component {@code DEGRADED} (its
 * generation stages are failing closed); the server stays live and ready, since refusing is the
 * safe behaviour.
 */
@Component("safety")
public class SafetyHealthIndicator implements HealthIndicator {
    static final Status DEGRADED = new Status("DEGRADED", "a safety classifier is unavailable; its stages fail closed");

    private final ModelRegistry registry;

    public SafetyHealthIndicator(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Health health() {
        ServingModel serving;
        try {
            serving = registry.serving();
        } catch (RuntimeException e) {
            return Health.unknown().withDetail("reason", "models not loaded").build();
        }
        boolean allUp = true;
        Map<String, Object> classifiers = new LinkedHashMap<>();
        for (ClassifierHealth h : serving.safetyTools().health()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("available", h.available());
            d.put("stages", h.stages().stream().map(s -> s.id()).sorted().toList());
            d.put("checks", h.checks());
            d.put("failures", h.failures());
            if (h.lastError() != null) {
                d.put("lastError", h.lastError());
            }
            classifiers.put(h.name(), d);
            allUp &= h.available();
        }
        return Health.status(allUp ? Status.UP : DEGRADED).withDetail("gate", serving.safety().name())
                .withDetail("classifiers", classifiers).build();
    }
}
