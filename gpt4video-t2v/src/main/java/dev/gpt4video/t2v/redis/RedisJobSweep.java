package dev.gpt4video.t2v.redis;

import dev.gpt4video.t2v.jobs.ArtifactStore;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The distributed counterpart of {@link ArtifactStore#sweep()}: deletes jobs finished longer than the
 * store's TTL ago, then completed jobs, oldest finished first and the newest always kept, while the
 * completed videos add up to more than the store's quota. Job state goes from Redis, files from the
 * shared store. It also removes consumers of dead workers from the group once they hold nothing.
 * One worker runs it at a time (under {@code P:sweep-lock}).
 */
final class RedisJobSweep {
    private static final Logger log = LoggerFactory.getLogger(RedisJobSweep.class);
    private static final int BATCH = 1000;

    /** Consumers idle this long with nothing pending belong to workers long gone. */
    static final Duration FORGET_CONSUMERS_AFTER = Duration.ofHours(1);

    private final RedisKeys keys;
    private final RedisScripts scripts;
    private final ArtifactStore store;
    private final Duration forgetConsumersAfter;

    RedisJobSweep(RedisKeys keys, RedisScripts scripts, ArtifactStore store, Duration forgetConsumersAfter) {
        this.keys = keys;
        this.scripts = scripts;
        this.store = store;
        this.forgetConsumersAfter = forgetConsumersAfter;
    }

    /** Returns the ids of the jobs deleted. */
    List<String> sweep(RedisCommands<String, String> redis) {
        long now = store.clock().millis();
        List<String> deleted = new ArrayList<>();
        String newestExpired = Long.toString(now - store.ttl().toMillis());
        for (String id : redis.zrangebyscore(keys.finished(), "-inf", newestExpired, 0, BATCH)) {
            if (delete(redis, id, now)) {
                log.info("deleted video job {}: finished more than {} ago", id, store.ttl());
                deleted.add(id);
            }
        }
        Map<String, String> sizes = redis.hgetall(keys.bytes());
        long total = sizes.values().stream().mapToLong(Long::parseLong).sum();
        if (total > store.quotaBytes()) {
            List<String> completed = redis.zrangeWithScores(keys.finished(), 0, -1).stream()
                    .map(ScoredValue::getValue).filter(sizes::containsKey).toList();
            for (int i = 0; i < completed.size() - 1 && total > store.quotaBytes(); i++) {
                String id = completed.get(i);
                if (delete(redis, id, now)) {
                    total -= Long.parseLong(sizes.get(id));
                    log.info("deleted video job {} ({} bytes): the shared store is over its quota of {} bytes", id,
                            sizes.get(id), store.quotaBytes());
                    deleted.add(id);
                }
            }
        }
        for (String backend : redis.hkeys(keys.backends())) {
            for (String consumer : scripts.forgetConsumers(redis, keys.stream(backend), forgetConsumersAfter.toMillis())) {
                log.info("removed consumer {} of {}: nothing pending, idle for {}", consumer, backend,
                        forgetConsumersAfter);
            }
        }
        return deleted;
    }

    private boolean delete(RedisCommands<String, String> redis, String id, long now) {
        String backend = redis.hget(keys.job(id), JobHash.BACKEND);
        String outcome = scripts.run(redis, RedisScripts.DELETE, id, backend == null ? "-" : backend, now, "", "")
                .getFirst();
        if (!outcome.equals("deleted") && !outcome.equals("gone")) {
            return false;
        }
        try {
            store.delete(id);
        } catch (IOException e) {
            log.warn("video job {} is deleted but its files are not: {}", id, e.toString());
        }
        return true;
    }
}
