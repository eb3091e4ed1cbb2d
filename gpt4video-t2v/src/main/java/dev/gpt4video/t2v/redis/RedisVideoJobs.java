package dev.gpt4video.t2v.redis;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.t2v.jobs.ArtifactStore;
import dev.gpt4video.t2v.jobs.JobIds;
import dev.gpt4video.t2v.jobs.JobState;
import dev.gpt4video.t2v.jobs.VideoJob;
import dev.gpt4video.t2v.jobs.VideoJobEvent;
import dev.gpt4video.t2v.jobs.VideoJobListener;
import dev.gpt4video.t2v.jobs.VideoJobs;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Video jobs run by workers elsewhere: what a chat server uses in distributed mode. A submission
 * goes onto the backend's Redis stream (with the job's state in a hash); workers
 * ({@link RedisVideoWorker}) take it from there; this client reads the shared events stream and hands
 * every job's events to its listeners, so progress reaches the client through the server that took
 * the request. Finished videos are read from the {@link ArtifactStore} the workers write to, a
 * directory shared by servers and workers.
 *
 * <pre>{@code
 * RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
 * ArtifactStore shared = new ArtifactStore(Path.of("/mnt/videos"), Duration.ofHours(24), 2L << 30);
 * try (RedisVideoJobs jobs = new RedisVideoJobs(redis, shared, RedisJobSettings.defaults())) {
 *     jobs.addListener(e -> System.out.println(e.type() + " " + e.job().progress()));
 *     VideoJob job = jobs.submit(null, new T2vRequest("a cat surfing", 42L));
 * }
 * }</pre>
 *
 * <p>Redis must be reachable when this is created; later outages make calls fail with
 * {@link ErrorCode#NOT_READY} until the connection is back (Lettuce reconnects by itself), and the
 * event reader resumes where it stopped.
 */
public final class RedisVideoJobs implements VideoJobs {
    private static final Logger log = LoggerFactory.getLogger(RedisVideoJobs.class);

    private final ArtifactStore store;
    private final RedisJobSettings settings;
    private final RedisKeys keys;
    private final RedisScripts scripts;
    private final String serverId;
    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisConnection<String, String> eventConnection;
    private final RedisCommands<String, String> redis;
    private final Set<String> groupsMade = ConcurrentHashMap.newKeySet();
    private final List<VideoJobListener> listeners = new CopyOnWriteArrayList<>();
    private final List<VideoJobListener> localListeners = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean closed;

    /** Connects twice (commands, and the blocking event reader) and starts reading events from now on. */
    public RedisVideoJobs(RedisClient client, ArtifactStore store, RedisJobSettings settings) {
        this.store = store;
        this.settings = settings;
        this.keys = new RedisKeys(settings.keyPrefix());
        this.scripts = new RedisScripts(keys, settings);
        this.serverId = "server-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        this.connection = client.connect();
        this.redis = connection.sync();
        StatefulRedisConnection<String, String> events = null;
        String from;
        try {
            events = client.connect();
            from = lastEventId();
        } catch (RuntimeException e) {
            connection.close();
            if (events != null) {
                events.close();
            }
            throw e;
        }
        this.eventConnection = events;
        reader = Thread.ofPlatform().daemon().name("t2v-redis-events").unstarted(() -> readEvents(from));
        reader.start();
    }

    /** This client's id, recorded in the jobs it submits ({@code server} field). */
    public String serverId() {
        return serverId;
    }

    @Override
    public List<String> backends() {
        return call(() -> {
            List<String> names = new ArrayList<>(redis.hkeys(keys.backends()));
            String def = defaultBackend();
            if (def != null && names.remove(def)) {
                names.addFirst(def);
            }
            return names;
        });
    }

    @Override
    public BackendCapabilities capabilities(String backend) {
        return call(() -> {
            String name = backendName(backend);
            String json = redis.hget(keys.backends(), name);
            if (json == null) {
                throw new Gpt4VideoException(ErrorCode.MODEL_NOT_FOUND, "no video backend '" + name
                        + "'; available: " + redis.hkeys(keys.backends()));
            }
            return JobHash.readCapabilities(json);
        });
    }

    @Override
    public int queueDepth(String backend) {
        return call(() -> redis.zcard(keys.queue(backendName(backend))).intValue());
    }

    @Override
    public VideoJob submit(String backend, T2vRequest request) {
        if (closed) {
            throw new Gpt4VideoException(ErrorCode.NOT_READY, "the video job client is shut down");
        }
        return call(() -> {
            String name = backendName(backend);
            T2vRequest resolved = request.resolve(capabilities(name));
            ensureGroup(name);
            long now = store.clock().millis();
            VideoJob job = new VideoJob(JobIds.next(), name, resolved, JobState.QUEUED, 0, 0,
                    java.time.Instant.ofEpochMilli(now), null, null, null, Map.of(), null);
            List<String> args = new ArrayList<>();
            args.add(Integer.toString(settings.queueCapacity()));
            JobHash.submitted(job, serverId).forEach((k, v) -> {
                args.add(k);
                args.add(v);
            });
            List<String> reply = scripts.run(redis, RedisScripts.SUBMIT, job.id(), name, now, "", "",
                    args.toArray(String[]::new));
            if (reply.getFirst().equals("full")) {
                throw new Gpt4VideoException(ErrorCode.QUEUE_FULL, "the queue of video backend '" + name
                        + "' is full (" + settings.queueCapacity() + " jobs waiting); try again later");
            }
            // As it was queued (like VideoJobManager): callers compare it with later snapshots.
            return new VideoJob(job.id(), name, resolved, JobState.QUEUED, 0, Integer.parseInt(reply.get(1)),
                    job.createdAt(), null, null, null, Map.of(), null);
        });
    }

    @Override
    public Optional<VideoJob> job(String id) {
        if (!JobIds.isValid(id)) {
            return Optional.empty();
        }
        return call(() -> {
            Map<String, String> fields = redis.hgetall(keys.job(id));
            return fields.isEmpty() ? Optional.empty() : Optional.of(read(fields));
        });
    }

    @Override
    public List<VideoJob> jobs() {
        return call(() -> {
            List<String> ids = redis.zrevrange(keys.index(), 0, -1);
            List<RedisFuture<Map<String, String>>> pending = new ArrayList<>(ids.size());
            for (String id : ids) {
                pending.add(connection.async().hgetall(keys.job(id)));
            }
            List<VideoJob> all = new ArrayList<>(ids.size());
            for (RedisFuture<Map<String, String>> f : pending) {
                Map<String, String> fields = await(f);
                if (!fields.isEmpty()) {
                    all.add(read(fields));
                }
            }
            return all;
        });
    }

    @Override
    public VideoJob cancel(String id) {
        return call(() -> {
            VideoJob job = existing(id);
            scripts.run(redis, RedisScripts.CANCEL, id, job.backend(), store.clock().millis(), "", "");
            return existing(id);
        });
    }

    @Override
    public VideoJob delete(String id) {
        return call(() -> {
            VideoJob job = existing(id);
            if (!job.state().isTerminal()) {
                return cancel(id);
            }
            List<String> reply = scripts.run(redis, RedisScripts.DELETE, id, job.backend(), store.clock().millis(),
                    "", "");
            if (reply.getFirst().equals("deleted")) {
                try {
                    store.delete(id);
                } catch (java.io.IOException e) {
                    log.warn("video job {} is deleted but its files are not: {}", id, e.toString());
                }
            }
            return job;
        });
    }

    @Override
    public Path videoPath(String id) {
        return completedFile(id, ArtifactStore.VIDEO_FILE);
    }

    @Override
    public Path posterPath(String id) {
        return completedFile(id, ArtifactStore.POSTER_FILE);
    }

    @Override
    public Subscription addListener(VideoJobListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Like {@link #addListener}, but only for jobs submitted through this client (for per-server metrics). */
    public Subscription addLocalListener(VideoJobListener listener) {
        localListeners.add(listener);
        return () -> localListeners.remove(listener);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        eventConnection.close();
        try {
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
    }

    // ---- events ----

    private String lastEventId() {
        List<StreamMessage<String, String>> last = call(() -> redis.xrevrange(keys.events(), Range.unbounded(),
                Limit.from(1)));
        return last.isEmpty() ? "0-0" : last.getFirst().getId();
    }

    private void readEvents(String from) {
        RedisCommands<String, String> events = eventConnection.sync();
        String last = from;
        XReadArgs args = XReadArgs.Builder.block(settings.pollInterval()).count(256);
        while (!closed) {
            List<StreamMessage<String, String>> batch;
            try {
                batch = events.xread(args, XReadArgs.StreamOffset.from(keys.events(), last));
            } catch (RedisException e) {
                if (closed) {
                    return;
                }
                log.warn("reading video job events from Redis failed ({}); retrying", e.toString());
                pause();
                continue;
            }
            for (StreamMessage<String, String> m : batch) {
                last = m.getId();
                dispatch(m.getBody());
            }
        }
    }

    private void dispatch(Map<String, String> body) {
        VideoJobEvent event;
        try {
            event = event(body);
        } catch (RuntimeException e) {
            log.warn("skipping an unreadable video job event {}: {}", body.get(JobHash.ID), e.toString());
            return;
        }
        boolean local = serverId.equals(body.get(JobHash.SERVER));
        for (VideoJobListener listener : local ? concat(listeners, localListeners) : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("video job listener failed on {} of {}: {}", event.type(), event.job().id(), e.toString(), e);
            }
        }
    }

    private VideoJobEvent event(Map<String, String> body) {
        String type = body.get("type");
        int position = 0;
        if ("queued".equals(type)) {
            try {
                position = queuePosition(body.get(JobHash.ID), body.get(JobHash.BACKEND));
            } catch (RedisException e) {
                // The position is a nicety; the event still goes out.
            }
        }
        VideoJob job = JobHash.read(body, store, position);
        return switch (type) {
            case "queued" -> new VideoJobEvent.Queued(job);
            case "started" -> new VideoJobEvent.Started(job);
            case "progress" -> new VideoJobEvent.Progress(job, Integer.parseInt(body.get("step")),
                    Integer.parseInt(body.get("total")));
            case "completed" -> new VideoJobEvent.Completed(job, job.artifact());
            case "failed" -> new VideoJobEvent.Failed(job, job.error());
            case "cancelled" -> new VideoJobEvent.Cancelled(job);
            default -> throw new IllegalArgumentException("unknown event type '" + type + "'");
        };
    }

    private static List<VideoJobListener> concat(List<VideoJobListener> a, List<VideoJobListener> b) {
        List<VideoJobListener> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    // ---- helpers ----

    private VideoJob read(Map<String, String> fields) {
        int position = 0;
        if (JobState.QUEUED.wireName().equals(fields.get(JobHash.STATE))) {
            position = queuePosition(fields.get(JobHash.ID), fields.get(JobHash.BACKEND));
        }
        return JobHash.read(fields, store, position);
    }

    private int queuePosition(String id, String backend) {
        Long rank = redis.zrank(keys.queue(backend), id);
        return rank == null ? 0 : rank.intValue() + 1;
    }

    private VideoJob existing(String id) {
        return job(id).orElseThrow(() -> new Gpt4VideoException(ErrorCode.NOT_FOUND, "no video job '" + id + "'"));
    }

    private Path completedFile(String id, String name) {
        VideoJob job = call(() -> existing(id));
        if (job.state() != JobState.COMPLETED) {
            throw new Gpt4VideoException(ErrorCode.NOT_FOUND, "job '" + id + "' has no video: it is "
                    + job.state().wireName());
        }
        Path file = store.jobDirectory(id).resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new Gpt4VideoException(ErrorCode.NOT_FOUND, "the " + name + " of job '" + id
                    + "' is not in the shared video store " + store.root());
        }
        return file;
    }

    /** The backend's name: {@code backend} itself, or the default when it is null. */
    private String backendName(String backend) {
        if (backend != null) {
            return backend;
        }
        String def = defaultBackend();
        if (def == null) {
            throw new Gpt4VideoException(ErrorCode.NOT_READY,
                    "no video worker has registered with Redis yet, so there is no default video backend");
        }
        return def;
    }

    private String defaultBackend() {
        return settings.defaultBackend() != null ? settings.defaultBackend() : redis.get(keys.defaultBackend());
    }

    private void ensureGroup(String backend) {
        if (groupsMade.contains(backend)) {
            return;
        }
        RedisGroups.ensure(redis, keys.stream(backend), settings.group());
        groupsMade.add(backend);
    }

    private <T> T call(Supplier<T> work) {
        try {
            return work.get();
        } catch (RedisException e) {
            throw new Gpt4VideoException(ErrorCode.NOT_READY, "the video job queue (Redis) is unavailable: "
                    + e.getMessage(), e);
        }
    }

    private static <T> T await(RedisFuture<T> future) {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RedisException r ? r : new RedisException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new RedisException("timed out", e);
        }
    }

    private void pause() {
        try {
            Thread.sleep(settings.pollInterval());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
