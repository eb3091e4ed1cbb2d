package dev.gpt4video.abstractor;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Encoded videos kept on the Java heap, keyed by content: the SHA-256 of the input bytes (the
 * uploaded video file, say) together with the settings that shaped the result (frame count,
 * {@link VisualPipeline#settingsFingerprint()}). Bounded by entry count and by bytes, least recently
 * used out first. Concurrent requests for the same key compute once; the others wait for that result.
 *
 * <pre>{@code
 * EmbeddingCache cache = new EmbeddingCache(EmbeddingCache.Settings.defaults());
 * EmbeddingCache.Key key = EmbeddingCache.Key.of(videoBytes, "frames=4 " + pipeline.settingsFingerprint());
 * EmbeddingCache.Entry e = cache.getOrCompute(key, () -> EmbeddingCache.Entry.of(encode(videoBytes), shape));
 * }</pre>
 */
public final class EmbeddingCache {

    /**
     * @param maxEntries most entries kept
     * @param maxBytes   most bytes of embeddings kept (an entry larger than this is returned, not kept)
     */
    public record Settings(int maxEntries, long maxBytes) {
        public Settings {
            if (maxEntries < 0) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "embedding cache max-entries: must be >= 0, got " + maxEntries);
            }
            if (maxBytes < 0) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "embedding cache max-bytes: must be >= 0, got " + maxBytes);
            }
        }

        /** 256 entries and 512 MiB: a [65, 4096] float32 video embedding is about 1 MiB. */
        public static Settings defaults() {
            return new Settings(256, 512L << 20);
        }

        /** Caches nothing. */
        public static Settings disabled() {
            return new Settings(0, 0);
        }
    }

    /** A content hash: SHA-256 over the settings and the input bytes. */
    public record Key(String sha256) {
        public static Key of(byte[] input, String settings) {
            MessageDigest d = digest(settings);
            d.update(input);
            return new Key(HexFormat.of().formatHex(d.digest()));
        }

        /** Hashes a file's bytes as a stream (videos need not fit in memory twice). */
        public static Key of(Path file, String settings) {
            MessageDigest d = digest(settings);
            byte[] buf = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    d.update(buf, 0, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Key(HexFormat.of().formatHex(d.digest()));
        }

        private static MessageDigest digest(String settings) {
            try {
                MessageDigest d = MessageDigest.getInstance("SHA-256");
                byte[] s = settings.getBytes(StandardCharsets.UTF_8);
                // Length-prefixed so that (settings, input) pairs cannot collide by shifting bytes across.
                d.update(java.nio.ByteBuffer.allocate(8).putLong(s.length).array());
                d.update(s);
                return d;
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required by every Java platform", e);
            }
        }
    }

    /** An encoded video: float32 values in C order and their shape, e.g. {@code [1, 65, 4096]}. */
    public record Entry(float[] values, long[] shape) {
        public Entry {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != values.length) {
                throw new IllegalArgumentException(values.length + " values for shape " + Arrays.toString(shape));
            }
            shape = shape.clone();
        }

        public static Entry of(float[] values, long... shape) {
            return new Entry(values, shape);
        }

        public long bytes() {
            return 4L * values.length;
        }
    }

    /** Counters since creation. */
    public record Stats(long hits, long misses, long evictions, int entries, long bytes) {
    }

    private final Settings settings;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Key, CompletableFuture<Entry>> inFlight = new ConcurrentHashMap<>();
    private long bytes;
    private long hits;
    private long misses;
    private long evictions;

    public EmbeddingCache(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** The cached entry, marking it recently used. */
    public synchronized Optional<Entry> get(Key key) {
        Entry e = entries.get(key);
        if (e != null) {
            hits++;
        }
        return Optional.ofNullable(e);
    }

    /**
     * The cached entry, or {@code compute}'s result (stored when it fits). While one thread computes
     * a key, other threads asking for it wait for that result instead of computing again.
     */
    public Entry getOrCompute(Key key, Supplier<Entry> compute) {
        CompletableFuture<Entry> mine;
        CompletableFuture<Entry> running;
        synchronized (this) {
            Entry e = entries.get(key);
            if (e != null) {
                hits++;
                return e;
            }
            mine = new CompletableFuture<>();
            running = inFlight.putIfAbsent(key, mine);
            if (running == null) {
                misses++;
            } else {
                hits++;
            }
        }
        if (running != null) {
            return await(running);
        }
        try {
            Entry computed = compute.get();
            put(key, computed);
            mine.complete(computed);
            return computed;
        } catch (RuntimeException | Error t) {
            mine.completeExceptionally(t);
            throw t;
        } finally {
            inFlight.remove(key);
        }
    }

    private static Entry await(CompletableFuture<Entry> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Gpt4VideoException(ErrorCode.CANCELLED, "interrupted while waiting for an embedding", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new Gpt4VideoException(ErrorCode.INTERNAL, "embedding computation failed", e.getCause());
        }
    }

    /** Stores an entry, evicting least recently used ones until both bounds hold. */
    public synchronized void put(Key key, Entry entry) {
        if (settings.maxEntries() == 0 || entry.bytes() > settings.maxBytes()) {
            return;
        }
        Entry old = entries.put(key, entry);
        if (old != null) {
            bytes -= old.bytes();
        }
        bytes += entry.bytes();
        Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
        while ((entries.size() > settings.maxEntries() || bytes > settings.maxBytes()) && it.hasNext()) {
            Map.Entry<Key, Entry> eldest = it.next();
            bytes -= eldest.getValue().bytes();
            it.remove();
            evictions++;
        }
    }

    public synchronized void clear() {
        entries.clear();
        bytes = 0;
    }

    public synchronized Stats stats() {
        return new Stats(hits, misses, evictions, entries.size(), bytes);
    }
}
