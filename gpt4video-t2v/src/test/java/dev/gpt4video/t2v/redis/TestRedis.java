package dev.gpt4video.t2v.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Assumptions;

import java.util.UUID;

/**
 * The real Redis the distributed tests run against: its URL comes from the system property or
 * environment variable {@value #VARIABLE}; tests skip when neither is set. Each instance uses its own
 * key prefix, so tests never see each other's keys, and deletes its keys when closed.
 */
final class TestRedis implements AutoCloseable {
    static final String VARIABLE = "GPT4VIDEO_TEST_REDIS";

    private static volatile boolean toldWhySkipped;

    final String url;
    final String prefix = "gpt4video-test:" + UUID.randomUUID();
    final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    private TestRedis(String url) {
        this.url = url;
        this.client = RedisClient.create(url);
        this.connection = client.connect();
    }

    /** Connects, or skips the calling test when no test Redis is configured. */
    static TestRedis connectOrSkip() {
        String url = System.getProperty(VARIABLE);
        if (url == null || url.isBlank()) {
            url = System.getenv(VARIABLE);
        }
        if (url == null || url.isBlank()) {
            String why = VARIABLE + " is not set, so the distributed-generation tests are skipped: they need a real"
                    + " Redis. Start one with scripts/redis/start-test-redis.sh and export the URL it prints as "
                    + VARIABLE + ".";
            if (!toldWhySkipped) {
                toldWhySkipped = true;
                System.err.println(why);
            }
            Assumptions.abort(why);
        }
        return new TestRedis(url);
    }

    /** A separate client, as another process would have. */
    RedisClient newClient() {
        return RedisClient.create(url);
    }

    RedisCommands<String, String> commands() {
        return connection.sync();
    }

    @Override
    public void close() {
        RedisCommands<String, String> redis = connection.sync();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(500));
            if (!page.getKeys().isEmpty()) {
                redis.del(page.getKeys().toArray(String[]::new));
            }
            cursor = page;
        } while (!cursor.isFinished());
        connection.close();
        client.shutdown();
    }
}
