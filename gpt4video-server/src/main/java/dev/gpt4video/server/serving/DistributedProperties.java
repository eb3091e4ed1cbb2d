package dev.gpt4video.server.serving;

import dev.gpt4video.t2v.redis.RedisJobSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Distributed text-to-video generation over Redis Streams ({@code gpt4video.t2v.distributed.*},
 * {@code docs/distributed.md}). Without {@code redis-url} the server runs its backends itself
 * (single node, no Redis). With it, a chat server hands video jobs to workers through Redis, and a
 * server started with the {@code worker} profile ({@code worker=true}) is such a worker: it runs the
 * manifest's text-to-video backends and loads no language model or vision pipeline. Servers and
 * workers share {@code gpt4video.storage.dir}'s {@code videos/} folder.
 *
 * @param redisUrl          e.g. {@code redis://127.0.0.1:6379} (Lettuce URI syntax: password, database,
 *                          {@code rediss://} for TLS); empty: single node
 * @param worker            run as a worker (set by the {@code worker} profile)
 * @param workerId          unique per worker process; empty: host name and process id
 * @param keyPrefix         start of every Redis key; one deployment, one prefix
 * @param group             the workers' consumer group
 * @param claimIdleTimeout  a job whose worker stopped refreshing its claim this long ago goes to another worker
 * @param heartbeatInterval how often a worker refreshes its claims (below {@code claimIdleTimeout})
 * @param maxDeliveries     deliveries of one job before it fails with {@code interrupted}
 * @param pollInterval      how long a worker or a server's event reader blocks on Redis at a time
 * @param eventsMaxLength   about how many job events the events stream keeps
 * @param defaultBackend    the backend of requests that name none; empty: the workers' default
 * @param sweepInterval     how often one worker deletes expired videos and enforces the quota
 * @param drainTimeout      how long a stopping worker lets its running jobs finish before it hands
 *                          the rest back to other workers (0: at once)
 */
@ConfigurationProperties("gpt4video.t2v.distributed")
public record DistributedProperties(String redisUrl,
                                    @DefaultValue("false") boolean worker,
                                    String workerId,
                                    @DefaultValue("gpt4video:t2v") String keyPrefix,
                                    @DefaultValue("t2v-workers") String group,
                                    @DefaultValue("30s") Duration claimIdleTimeout,
                                    @DefaultValue("10s") Duration heartbeatInterval,
                                    @DefaultValue("3") int maxDeliveries,
                                    @DefaultValue("1s") Duration pollInterval,
                                    @DefaultValue("10000") long eventsMaxLength,
                                    String defaultBackend,
                                    @DefaultValue("1m") Duration sweepInterval,
                                    @DefaultValue("0s") Duration drainTimeout) {

    /** Single node: no Redis. */
    public static DistributedProperties singleNode() {
        return new DistributedProperties(null, false, null, "gpt4video:t2v", "t2v-workers", Duration.ofSeconds(30),
                Duration.ofSeconds(10), 3, Duration.ofSeconds(1), 10_000, null, Duration.ofMinutes(1), Duration.ZERO);
    }

    public boolean enabled() {
        return redisUrl != null && !redisUrl.isBlank();
    }

    /** The settings of the Redis client and worker; {@code queueCapacity} is {@code gpt4video.t2v.queue-capacity}. */
    public RedisJobSettings settings(int queueCapacity) {
        return new RedisJobSettings(keyPrefix, group, claimIdleTimeout, heartbeatInterval, maxDeliveries, pollInterval,
                eventsMaxLength, queueCapacity, defaultBackend, sweepInterval, drainTimeout);
    }

    /** {@code workerId}, or this host's name and process id. */
    public String workerIdOrDefault() {
        if (workerId != null && !workerId.isBlank()) {
            return workerId;
        }
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "worker";
            }
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
