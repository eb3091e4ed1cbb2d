package dev.gpt4video.abstractor;

import dev.gpt4video.core.Gpt4VideoException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddingCacheTest {

    private static EmbeddingCache.Key key(String content) {
        return EmbeddingCache.Key.of(content.getBytes(), "frames=4");
    }

    private static EmbeddingCache.Entry entry(int floats) {
        return EmbeddingCache.Entry.of(new float[floats], 1, floats);
    }

    @Test
    void secondLookupDoesNotRecompute() {
        EmbeddingCache cache = new EmbeddingCache(EmbeddingCache.Settings.defaults());
        AtomicInteger computed = new AtomicInteger();
        EmbeddingCache.Entry first = cache.getOrCompute(key("a"), () -> {
            computed.incrementAndGet();
            return entry(8);
        });
        EmbeddingCache.Entry second = cache.getOrCompute(key("a"), () -> {
            computed.incrementAndGet();
            return entry(8);
        });
        assertThat(second).isSameAs(first);
        assertThat(computed).hasValue(1);
        assertThat(cache.stats()).isEqualTo(new EmbeddingCache.Stats(1, 1, 0, 1, 32));
    }

    @Test
    void keysDependOnContentAndSettings() {
        assertThat(EmbeddingCache.Key.of("video".getBytes(), "frames=4"))
                .isEqualTo(EmbeddingCache.Key.of("video".getBytes(), "frames=4"))
                .isNotEqualTo(EmbeddingCache.Key.of("video".getBytes(), "frames=8"))
                .isNotEqualTo(EmbeddingCache.Key.of("videO".getBytes(), "frames=4"));
        // settings and content cannot trade bytes
        assertThat(EmbeddingCache.Key.of("b".getBytes(), "a")).isNotEqualTo(EmbeddingCache.Key.of("".getBytes(), "ab"));
        assertThat(EmbeddingCache.Key.of(new byte[0], "").sha256()).hasSize(64);
    }

    @Test
    void evictsLeastRecentlyUsedByCount() {
        EmbeddingCache cache = new EmbeddingCache(new EmbeddingCache.Settings(2, 1 << 20));
        cache.put(key("a"), entry(1));
        cache.put(key("b"), entry(1));
        assertThat(cache.get(key("a"))).isPresent(); // a is now more recent than b
        cache.put(key("c"), entry(1));
        assertThat(cache.get(key("b"))).isEmpty();
        assertThat(cache.get(key("a"))).isPresent();
        assertThat(cache.get(key("c"))).isPresent();
        assertThat(cache.stats().evictions()).isEqualTo(1);
    }

    @Test
    void evictsByBytesAndSkipsOversizedEntries() {
        EmbeddingCache cache = new EmbeddingCache(new EmbeddingCache.Settings(100, 100));
        cache.put(key("a"), entry(10)); // 40 bytes
        cache.put(key("b"), entry(10)); // 80
        cache.put(key("c"), entry(10)); // 120 > 100: a goes
        assertThat(cache.get(key("a"))).isEmpty();
        assertThat(cache.stats().bytes()).isEqualTo(80);
        cache.put(key("huge"), entry(26)); // 104 bytes never fits
        assertThat(cache.get(key("huge"))).isEmpty();
        assertThat(cache.stats().entries()).isEqualTo(2);
    }

    @Test
    void disabledCacheComputesEveryTime() {
        EmbeddingCache cache = new EmbeddingCache(EmbeddingCache.Settings.disabled());
        AtomicInteger computed = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            cache.getOrCompute(key("a"), () -> {
                computed.incrementAndGet();
                return entry(1);
            });
        }
        assertThat(computed).hasValue(3);
    }

    @Test
    void failuresAreNotCached() {
        EmbeddingCache cache = new EmbeddingCache(EmbeddingCache.Settings.defaults());
        assertThatThrownBy(() -> cache.getOrCompute(key("a"), () -> {
            throw new IllegalStateException("decode failed");
        })).hasMessage("decode failed");
        assertThat(cache.getOrCompute(key("a"), () -> entry(2)).values()).hasSize(2);
    }

    @Test
    void concurrentRequestsForOneKeyComputeOnce() throws Exception {
        EmbeddingCache cache = new EmbeddingCache(EmbeddingCache.Settings.defaults());
        AtomicInteger computed = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<EmbeddingCache.Entry> first = pool.submit(() -> cache.getOrCompute(key("v"), () -> {
                computed.incrementAndGet();
                started.countDown();
                await(release);
                return entry(4);
            }));
            started.await();
            Future<?>[] others = new Future<?>[3];
            for (int i = 0; i < others.length; i++) {
                others[i] = pool.submit(() -> cache.getOrCompute(key("v"), () -> {
                    computed.incrementAndGet();
                    return entry(4);
                }));
            }
            release.countDown();
            for (Future<?> f : others) {
                assertThat(f.get()).isSameAs(first.get());
            }
            assertThat(computed).hasValue(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> new EmbeddingCache.Settings(-1, 0)).isInstanceOf(Gpt4VideoException.class)
                .hasMessageContaining("max-entries");
        assertThatThrownBy(() -> new EmbeddingCache.Settings(1, -1)).hasMessageContaining("max-bytes");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
