package dev.gpt4video.core.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Where a {@link DemoComponent} writes: its own folder, its own seed, and the options that go into
 * its manifest entry. File names are relative to the component folder and may not leave it.
 */
public final class ComponentWriter {
    private final Path directory;
    private final long seed;
    private final Random random;
    private final Map<String, Object> options = new LinkedHashMap<>();

    ComponentWriter(Path directory, long seed) {
        this.directory = directory;
        this.seed = seed;
        this.random = new Random(seed);
    }

    /** The component's folder (exists). */
    public Path directory() {
        return directory;
    }

    /** The component's seed, derived from the bundle seed and the role. */
    public long seed() {
        return seed;
    }

    /**
     * A generator seeded with {@link #seed()}; one per component, so draw from it in a fixed order.
     * {@link Random}'s sequence is specified by the JDK, so bundles are identical across JDK versions.
     */
    public Random random() {
        return random;
    }

    /** The path of {@code name} inside the component folder, with its parent folders created. */
    public Path file(String name) throws IOException {
        Path file = directory.resolve(name).normalize();
        if (!file.startsWith(directory) || file.equals(directory)) {
            throw new IllegalArgumentException("file name " + name + " must stay inside " + directory);
        }
        Files.createDirectories(file.getParent());
        return file;
    }

    public void writeBytes(String name, byte[] data) throws IOException {
        Files.write(file(name), data);
    }

    public void writeString(String name, String text) throws IOException {
        writeBytes(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code value} as indented JSON with map keys sorted, ending in a newline. */
    public void writeJson(String name, Object value) throws IOException {
        writeString(name, BundleJson.SORTED.writeValueAsString(value) + "\n");
    }

    /** Adds an option to this component's manifest entry (a plain JSON value). */
    public void option(String key, Object value) {
        options.put(key, value);
    }

    Map<String, Object> options() {
        return Collections.unmodifiableMap(options);
    }
}
