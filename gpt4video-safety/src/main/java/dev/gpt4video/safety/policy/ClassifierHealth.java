package dev.gpt4video.safety.policy;

import dev.gpt4video.core.safety.SafetyStage;

import java.time.Instant;
import java.util.Set;

/**
 * One classifier's state as the gate sees it: whether it loaded, whether its last call worked,
 * and counts. {@code available} is false after a load failure or while the latest call failed.
 */
public record ClassifierHealth(String name, Set<SafetyStage> stages, boolean available, long checks, long failures,
                               String lastError, Instant lastFailure) {
    public ClassifierHealth {
        stages = Set.copyOf(stages);
    }
}
