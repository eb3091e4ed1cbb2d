package dev.gpt4video.core.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the parity fixtures: system property or env var {@code GPT4VIDEO_FIXTURES}, default
 * {@code ../shared/fixtures} from the repository root. Tests skip with a message naming the path
 * only when it is absent (a user's clone); {@code .ci/run} makes sure it is present.
 */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path root() {
        String configured = System.getProperty("GPT4VIDEO_FIXTURES");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("GPT4VIDEO_FIXTURES");
        }
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        // Surefire runs in the module folder; the repository root is one up.
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw"))) {
                return p.resolve("../shared/fixtures").normalize();
            }
        }
        return dir.resolve("../shared/fixtures").normalize();
    }

    /** The fixture folder {@code name}, or a skipped test with a clear message when missing. */
    public static Path require(String name) {
        Path p = root().resolve(name);
        Assumptions.assumeTrue(Files.exists(p),
                () -> "parity fixture not found at " + p + " (set GPT4VIDEO_FIXTURES); skipping");
        return p;
    }

    /** {@code $GPT4VIDEO_FIXTURES/../models/name}, skipping when missing. */
    public static Path requireModel(String name) {
        Path p = root().resolve("../models").resolve(name).normalize();
        Assumptions.assumeTrue(Files.exists(p),
                () -> "shared model not found at " + p + " (set GPT4VIDEO_FIXTURES); skipping");
        return p;
    }
}
