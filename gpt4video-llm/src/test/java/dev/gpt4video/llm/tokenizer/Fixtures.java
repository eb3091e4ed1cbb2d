package dev.gpt4video.llm.tokenizer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared parity fixtures; a test skips only when the fixture directory itself is absent. */
final class Fixtures {
    private Fixtures() {
    }

    /** {@code $GPT4VIDEO_FIXTURES/name}, skipping the calling test with a message if it is missing. */
    static Path dir(String name) {
        Path dir = root().resolve(name);
        assumeTrue(Files.isDirectory(dir), () -> "fixture directory missing: " + dir.toAbsolutePath());
        return dir;
    }

    static JsonNode json(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    private static Path root() {
        String configured = System.getProperty("GPT4VIDEO_FIXTURES", System.getenv("GPT4VIDEO_FIXTURES"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        // Default: ../shared/fixtures relative to the repository root (the directory holding mvnw).
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        return (dir == null ? Path.of("") : dir).resolve("../shared/fixtures").normalize();
    }
}
