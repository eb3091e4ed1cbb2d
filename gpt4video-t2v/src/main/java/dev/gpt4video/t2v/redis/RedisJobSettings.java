package dev.gpt4video.t2v.redis;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * How chat servers ({@link RedisVideoJobs}) and workers ({@link RedisVideoWorker}) share jobs over
 * Redis. Servers and workers of one deployment must agree on {@code keyPrefix} and {@code group};
 * the timing values matter to workers.
 *
 * @param keyPrefix        start of every key (see {@link RedisKeys}), e.g. {@code gpt4video:t2v}
 * @param group            the consumer group workers read job streams in
 * @param claimIdleTimeout a job whose worker has not refreshed its claim for this long is taken over
 *                         by another worker (the dead worker's attempt counts as a delivery)
 * @param heartbeatInterval how often a worker refreshes the claims of the jobs it runs; well below
 *                         {@code claimIdleTimeout} (a third is a good choice)
 * @param maxDeliveries    deliveries of one job before it fails with {@code interrupted} instead of
 *                         being retried again
 * @param pollInterval     how long a worker blocks on its stream before it looks for abandoned jobs
 *                         again, and how long a server's event reader blocks
 * @param eventsMaxLength  about how many job events the events stream keeps (trimmed with {@code ~})
 * @param queueCapacity    jobs that may wait per backend before a submission fails with {@code queue_full}
 * @param defaultBackend   the backend of submissions that name none; null: the one workers advertise
 * @param sweepInterval    how often one worker deletes expired jobs and enforces the store's quota
 * @param drainTimeout     how long a closing worker lets its running jobs finish before it hands the
 *                         rest back (zero: hand them back at once)
 */
public record RedisJobSettings(String keyPrefix, String group, Duration claimIdleTimeout, Duration heartbeatInterval,
                               int maxDeliveries, Duration pollInterval, long eventsMaxLength, int queueCapacity,
                               String defaultBackend, Duration sweepInterval, Duration drainTimeout) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:@-]+");

    public RedisJobSettings {
        if (keyPrefix == null || !NAME.matcher(keyPrefix).matches()) {
            throw new IllegalArgumentException("keyPrefix: '" + keyPrefix + "' must be letters, digits and ._:@-");
        }
        if (group == null || !NAME.matcher(group).matches()) {
            throw new IllegalArgumentException("group: '" + group + "' must be letters, digits and ._:@-");
        }
        positive("claimIdleTimeout", claimIdleTimeout);
        positive("heartbeatInterval", heartbeatInterval);
        positive("pollInterval", pollInterval);
        positive("sweepInterval", sweepInterval);
        if (drainTimeout == null || drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drainTimeout: " + drainTimeout + " must be >= 0");
        }
        if (heartbeatInterval.compareTo(claimIdleTimeout) >= 0) {
            throw new IllegalArgumentException("heartbeatInterval: " + heartbeatInterval
                    + " must be shorter than claimIdleTimeout (" + claimIdleTimeout + "), or running jobs get taken over");
        }
        if (pollInterval.compareTo(Duration.ofSeconds(30)) > 0) {
            // Blocking reads must end well within the client's 60 s command timeout.
            throw new IllegalArgumentException("pollInterval: " + pollInterval + " must be at most 30 s");
        }
        if (maxDeliveries < 1) {
            throw new IllegalArgumentException("maxDeliveries: " + maxDeliveries + " must be >= 1");
        }
        if (eventsMaxLength < 100) {
            throw new IllegalArgumentException("eventsMaxLength: " + eventsMaxLength + " must be >= 100");
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " must be >= 0");
        }
        if (defaultBackend != null && defaultBackend.isBlank()) {
            defaultBackend = null;
        }
    }

    /** The defaults of {@code docs/distributed.md}. */
    public static RedisJobSettings defaults() {
        return new RedisJobSettings("gpt4video:t2v", "t2v-workers", Duration.ofSeconds(30), Duration.ofSeconds(10),
                3, Duration.ofSeconds(1), 10_000, 16, null, Duration.ofMinutes(1), Duration.ZERO);
    }

    public RedisJobSettings withKeyPrefix(String prefix) {
        return new RedisJobSettings(prefix, group, claimIdleTimeout, heartbeatInterval, maxDeliveries, pollInterval,
                eventsMaxLength, queueCapacity, defaultBackend, sweepInterval, drainTimeout);
    }

    public RedisJobSettings withTiming(Duration claimIdleTimeout, Duration heartbeatInterval, Duration pollInterval) {
        return new RedisJobSettings(keyPrefix, group, claimIdleTimeout, heartbeatInterval, maxDeliveries, pollInterval,
                eventsMaxLength, queueCapacity, defaultBackend, sweepInterval, drainTimeout);
    }

    public RedisJobSettings withMaxDeliveries(int maxDeliveries) {
        return new RedisJobSettings(keyPrefix, group, claimIdleTimeout, heartbeatInterval, maxDeliveries, pollInterval,
                eventsMaxLength, queueCapacity, defaultBackend, sweepInterval, drainTimeout);
    }

    public RedisJobSettings withQueueCapacity(int queueCapacity) {
        return new RedisJobSettings(keyPrefix, group, claimIdleTimeout, heartbeatInterval, maxDeliveries, pollInterval,
                eventsMaxLength, queueCapacity, defaultBackend, sweepInterval, drainTimeout);
    }

    public RedisJobSettings withDrainTimeout(Duration drainTimeout) {
        return new RedisJobSettings(keyPrefix, group, claimIdleTimeout, heartbeatInterval, maxDeliveries, pollInterval,
                eventsMaxLength, queueCapacity, defaultBackend, sweepInterval, drainTimeout);
    }

    private static void positive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + ": " + d + " must be positive");
        }
    }
}
