package dev.gpt4video.t2v.jobs;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.t2v.TextToVideoBackend;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The text-to-video backends a server offers, by name, with how many workers run each and how many
 * jobs may wait for it; one of them is the default.
 *
 * <pre>{@code
 * BackendGallery gallery = BackendGallery.builder()
 *         .add(zeroscope, 1, 8)              // one GPU: one worker, eight waiting jobs
 *         .add(new PlaceholderBackend(), 2, 32)
 *         .defaultBackend("zeroscope-v2")
 *         .build();
 * }</pre>
 */
public final class BackendGallery {

    /**
     * One backend. With {@code workers > 1} its {@code generate} runs on that many threads at once,
     * so it must be thread-safe (one worker per device is the usual choice).
     */
    public record Entry(TextToVideoBackend backend, int workers, int queueCapacity) {
        public Entry {
            Objects.requireNonNull(backend, "backend");
            if (workers < 1) {
                throw new IllegalArgumentException("workers: " + workers + " must be >= 1 for " + backend.name());
            }
            if (queueCapacity < 0) {
                throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " must be >= 0 for "
                        + backend.name());
            }
        }

        public String name() {
            return backend.name();
        }
    }

    private final Map<String, Entry> entries;
    private final String defaultName;

    private BackendGallery(Map<String, Entry> entries, String defaultName) {
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        this.defaultName = defaultName;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String defaultName() {
        return defaultName;
    }

    public Collection<Entry> entries() {
        return entries.values();
    }

    /** The entry called {@code name}, or the default one when {@code name} is null. */
    public Entry entry(String name) {
        Entry entry = entries.get(name == null ? defaultName : name);
        if (entry == null) {
            throw new Gpt4VideoException(ErrorCode.MODEL_NOT_FOUND,
                    "no video backend '" + name + "'; available: " + entries.keySet());
        }
        return entry;
    }

    public static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private String defaultName;

        private Builder() {
        }

        /** Adds a backend; the first one added is the default unless {@link #defaultBackend} says otherwise. */
        public Builder add(TextToVideoBackend backend, int workers, int queueCapacity) {
            Entry entry = new Entry(backend, workers, queueCapacity);
            if (entries.putIfAbsent(entry.name(), entry) != null) {
                throw new IllegalArgumentException("two backends named '" + entry.name() + "'");
            }
            if (defaultName == null) {
                defaultName = entry.name();
            }
            return this;
        }

        public Builder defaultBackend(String name) {
            defaultName = name;
            return this;
        }

        public BackendGallery build() {
            if (entries.isEmpty()) {
                throw new IllegalArgumentException("a gallery needs at least one backend");
            }
            if (!entries.containsKey(defaultName)) {
                throw new IllegalArgumentException("default backend '" + defaultName + "' is not among "
                        + entries.keySet());
            }
            return new BackendGallery(entries, defaultName);
        }
    }
}
