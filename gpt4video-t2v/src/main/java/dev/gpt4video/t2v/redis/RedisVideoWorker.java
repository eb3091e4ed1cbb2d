package dev.gpt4video.t2v.redis;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.t2v.jobs.ArtifactStore;
import dev.gpt4video.t2v.jobs.BackendGallery;
import dev.gpt4video.t2v.jobs.JobIds;
import dev.gpt4video.t2v.jobs.JobJson;
import dev.gpt4video.t2v.jobs.VideoArtifact;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs this process's text-to-video backends for jobs that chat servers put on Redis
 * ({@link RedisVideoJobs}): per backend, {@link BackendGallery.Entry#workers()} consumer threads
 * read the backend's stream in the workers' consumer group, run each job, write its MP4 and poster to
 * the shared {@link ArtifactStore}, and only then mark it completed and acknowledge its message, in
 * one script.
 *
 * <pre>{@code
 * try (RedisVideoWorker worker = new RedisVideoWorker(redis, gallery, sharedStore, settings, "gpu-node-1")) {
 *     …   // runs until closed
 * }
 * }</pre>
 *
 * <p>While a job runs, its claim is refreshed after every denoising step and every
 * {@link RedisJobSettings#heartbeatInterval()}; each refresh also reads the job's cancel flag. A worker
 * that dies stops refreshing: after {@link RedisJobSettings#claimIdleTimeout()} another worker claims
 * the job ({@code XAUTOCLAIM}) and runs it from the start. A job delivered more than
 * {@link RedisJobSettings#maxDeliveries()} times fails with {@code interrupted}. A worker that
 * finds its claim taken (it stalled for longer than the timeout) stops the job without touching its
 * state, so a job completes once. {@link #close()} stops taking jobs, lets running ones finish for
 * {@link RedisJobSettings#drainTimeout()} and hands the rest back.
 *
 * <p>One worker at a time also deletes expired jobs and enforces the store's quota
 * ({@link RedisJobSettings#sweepInterval()}). Backends are not closed here: the gallery's owner does that.
 */
public final class RedisVideoWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisVideoWorker.class);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    /** Why a running job was stopped before its backend finished. */
    private enum Stop {
        /** A client cancelled it: it ends cancelled. */
        CANCELLED,
        /** Another worker holds it now: leave its state alone. */
        LOST,
        /** This worker is shutting down: hand it back. */
        RELEASED,
        /** This worker is gone as if crashed: touch nothing. */
        ABANDONED
    }

    private final BackendGallery gallery;
    private final ArtifactStore store;
    private final RedisJobSettings settings;
    private final RedisKeys keys;
    private final RedisScripts scripts;
    private final RedisJobSweep sweep;
    private final String workerId;
    private final StatefulRedisConnection<String, String> shared;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Run> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private volatile boolean stopping;
    private volatile boolean abandoned;
    /** Tests set it to stand for a worker that stalls (a long GC pause, a network partition). */
    volatile boolean heartbeatsPaused;

    /**
     * Registers the gallery's backends (name, capabilities, the default) in Redis and starts consuming.
     *
     * @param workerId unique among running workers; consumer names are {@code workerId/backend/n}
     */
    public RedisVideoWorker(RedisClient client, BackendGallery gallery, ArtifactStore store, RedisJobSettings settings,
                            String workerId) {
        if (workerId == null || workerId.isBlank()) {
            throw new IllegalArgumentException("workerId: must not be empty");
        }
        this.gallery = gallery;
        this.store = store;
        this.settings = settings;
        this.keys = new RedisKeys(settings.keyPrefix());
        this.scripts = new RedisScripts(keys, settings);
        this.sweep = new RedisJobSweep(keys, scripts, store, RedisJobSweep.FORGET_CONSUMERS_AFTER);
        this.workerId = workerId;
        this.shared = client.connect();
        try {
            register(shared.sync());
            for (BackendGallery.Entry entry : gallery.entries()) {
                for (int i = 0; i < entry.workers(); i++) {
                    slots.add(new Slot(entry, workerId + "/" + entry.name() + "/" + i, client.connect()));
                }
            }
        } catch (RuntimeException e) {
            slots.forEach(s -> s.connection.close());
            shared.close();
            throw e;
        }
        timer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("t2v-redis-heartbeat").unstarted(r));
        long beat = settings.heartbeatInterval().toMillis();
        timer.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        long every = settings.sweepInterval().toMillis();
        timer.scheduleWithFixedDelay(this::sweepIfFirst, every, every, TimeUnit.MILLISECONDS);
        for (Slot slot : slots) {
            slot.thread.start();
        }
        log.info("video worker {} consuming {} from Redis ({} threads)", workerId,
                gallery.entries().stream().map(BackendGallery.Entry::name).toList(), slots.size());
    }

    public String workerId() {
        return workerId;
    }

    /** Consumer names of this worker's threads. */
    public List<String> consumers() {
        return slots.stream().map(s -> s.name).toList();
    }

    /**
     * Stops taking jobs, lets running ones finish for up to {@link RedisJobSettings#drainTimeout()},
     * then hands the rest back (queued again, claimable by other workers at once; the hand-back does
     * not count as a delivery), waiting up to 30 s more for their backends to stop.
     */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        if (!settings.drainTimeout().isZero() && !running.isEmpty()) {
            log.info("video worker {} stopping: letting {} running job(s) finish (up to {})", workerId,
                    running.size(), settings.drainTimeout());
            joinSlots(settings.drainTimeout());
        }
        running.values().forEach(run -> run.stop(Stop.RELEASED));
        joinSlots(SHUTDOWN_TIMEOUT);
        timer.shutdownNow();
        for (Slot slot : slots) {
            if (!slot.thread.isAlive()) {
                forgetConsumer(slot);
            }
            slot.connection.close();
        }
        shared.close();
        log.info("video worker {} stopped", workerId);
    }

    private void joinSlots(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Slot slot : slots) {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    slot.thread.join(Duration.ofNanos(left));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** True once {@link #close} or {@link #abandon} began. */
    boolean isStopping() {
        return stopping;
    }

    /**
     * Stops at once as a crash would: no acknowledgement, no hand-back, no state change; connections
     * are dropped and threads interrupted. Jobs it ran are taken over by other workers after the
     * claim timeout. For failover tests.
     */
    void abandon() {
        abandoned = true;
        stopping = true;
        running.values().forEach(run -> run.stop(Stop.ABANDONED));
        timer.shutdownNow();
        for (Slot slot : slots) {
            slot.connection.close();
            slot.thread.interrupt();
        }
        shared.close();
    }

    /** Waits for the consumer threads to end (after {@link #close} or {@link #abandon}). */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Slot slot : slots) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !slot.thread.join(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    // ---- registration ----

    private void register(RedisCommands<String, String> redis) {
        for (BackendGallery.Entry entry : gallery.entries()) {
            redis.hset(keys.backends(), entry.name(), JobHash.writeCapabilities(entry.backend().capabilities()));
            RedisGroups.ensure(redis, keys.stream(entry.name()), settings.group());
        }
        redis.set(keys.defaultBackend(), gallery.defaultName());
    }

    /** A consumer with nothing pending is removed from the group (one with pending jobs must stay: they are claimed from it). */
    private void forgetConsumer(Slot slot) {
        try {
            RedisCommands<String, String> redis = slot.connection.sync();
            String stream = keys.stream(slot.entry.name());
            if (redis.xpending(stream, Consumer.from(settings.group(), slot.name), io.lettuce.core.Range.unbounded(),
                    io.lettuce.core.Limit.from(1)).isEmpty()) {
                redis.xgroupDelconsumer(stream, Consumer.from(settings.group(), slot.name));
            }
        } catch (RedisException e) {
            log.debug("could not remove consumer {}: {}", slot.name, e.toString());
        }
    }

    // ---- consuming ----

    private void consume(Slot slot) {
        RedisCommands<String, String> redis = slot.connection.sync();
        while (!stopping) {
            try {
                StreamMessage<String, String> message = claimAbandoned(slot, redis);
                if (message == null) {
                    message = readNew(slot, redis);
                }
                if (message != null) {
                    handle(slot, redis, message);
                }
            } catch (RedisException e) {
                if (stopping) {
                    return;
                }
                log.warn("video worker {}: Redis failed ({}); retrying", slot.name, e.toString());
                pause();
            }
        }
    }

    /** A job another worker left behind (its claim idle for the timeout), taken over by this consumer. */
    private StreamMessage<String, String> claimAbandoned(Slot slot, RedisCommands<String, String> redis) {
        ClaimedMessages<String, String> claimed = redis.xautoclaim(keys.stream(slot.entry.name()),
                new XAutoClaimArgs<String>().consumer(Consumer.from(settings.group(), slot.name))
                        .minIdleTime(settings.claimIdleTimeout()).startId(slot.claimCursor).count(1));
        // The cursor walks the pending list over successive calls; "0-0" means it went round.
        slot.claimCursor = claimed.getId() == null ? "0-0" : claimed.getId();
        if (claimed.getMessages().isEmpty()) {
            return null;
        }
        StreamMessage<String, String> message = claimed.getMessages().getFirst();
        log.info("video worker {} took over message {} (its worker stopped refreshing it)", slot.name, message.getId());
        return message;
    }

    private StreamMessage<String, String> readNew(Slot slot, RedisCommands<String, String> redis) {
        List<StreamMessage<String, String>> read = redis.xreadgroup(Consumer.from(settings.group(), slot.name),
                XReadArgs.Builder.block(settings.pollInterval()).count(1),
                XReadArgs.StreamOffset.lastConsumed(keys.stream(slot.entry.name())));
        return read == null || read.isEmpty() ? null : read.getFirst();
    }

    private void handle(Slot slot, RedisCommands<String, String> redis, StreamMessage<String, String> message) {
        String backend = slot.entry.name();
        String id = message.getBody() == null ? null : message.getBody().get("job");
        if (id == null || !JobIds.isValid(id)) {
            log.warn("video worker {}: dropping message {} without a job id: {}", slot.name, message.getId(),
                    message.getBody());
            redis.xack(keys.stream(backend), settings.group(), message.getId());
            redis.xdel(keys.stream(backend), message.getId());
            return;
        }
        List<String> reply = scripts.run(redis, RedisScripts.START, id, backend, now(), slot.name, message.getId(),
                Integer.toString(settings.maxDeliveries()));
        String status = reply.getFirst();
        if (!status.equals("run")) {
            if (status.equals("exhausted")) {
                log.warn("video job {} failed: delivered more than {} times", id, settings.maxDeliveries());
            } else {
                log.debug("video worker {}: job {} not run: {}", slot.name, id, status);
            }
            return;
        }
        Run run = new Run(id, backend, slot.name, message.getId());
        running.put(message.getId(), run);
        try {
            if (stopping) {
                run.stop(Stop.RELEASED);
            }
            T2vRequest request = JobJson.readRequest(reply.get(1));
            log.info("video worker {} runs job {}", slot.name, id);
            execute(slot, redis, run, request);
        } catch (IOException e) {
            end(redis, run, "failed", ErrorCode.INTERNAL.code(), "unreadable request: " + e.getMessage());
        } finally {
            running.remove(message.getId());
        }
    }

    private void execute(Slot slot, RedisCommands<String, String> redis, Run run, T2vRequest request) {
        try {
            GeneratedVideo video = slot.entry.backend().generate(request,
                    (step, total) -> progress(redis, run, step, total), run.cancel);
            run.cancel.throwIfCancelled();
            // Still this worker's job, and still wanted? Only then write into the shared store.
            refresh(redis, run, RedisScripts.HEARTBEAT);
            run.cancel.throwIfCancelled();
            VideoArtifact artifact = store.writeArtifact(run.jobId, video.frames());
            if (abandoned) {
                return;
            }
            String outcome = run(redis, run, RedisScripts.COMPLETE, JobJson.writeMetadata(video.metadata()),
                    JobJson.writeArtifact(artifact), Long.toString(artifact.videoBytes()));
            switch (outcome) {
                case "completed" -> log.info("video job {} completed by {}", run.jobId, run.consumer);
                case "lost" -> log.warn("video job {}: another worker took it over before it was stored; "
                        + "leaving it to that worker", run.jobId);
                case "cancelled" -> discardMedia(run);
                default -> {
                    log.info("video job {} was {} before it was stored; its files are dropped", run.jobId, outcome);
                    if (outcome.equals("gone")) {
                        store.delete(run.jobId);
                    }
                }
            }
        } catch (Exception | Error e) {
            // Errors too (native libraries, out of memory): they fail this job, not the consumer thread.
            if (run.reason() != null) {
                // Asked to stop: however the backend ended, the reason decides what happens to the job.
                stopped(redis, run);
            } else if (e instanceof Gpt4VideoException coded) {
                failed(redis, run, coded.code().code(), coded.getMessage(), coded);
            } else {
                failed(redis, run, ErrorCode.GENERATION_FAILED.code(), e.toString(), e);
            }
        }
    }

    private void progress(RedisCommands<String, String> redis, Run run, int step, int total) {
        if (total <= 0 || run.reason() != null) {
            return;
        }
        // 100 is kept for "stored": encoding and writing the MP4 come after the last step.
        int percent = (int) Math.min(99, (long) step * 100 / total);
        try {
            refresh(redis, run, RedisScripts.PROGRESS, Integer.toString(step), Integer.toString(total),
                    Integer.toString(percent));
        } catch (RedisException e) {
            // The heartbeat keeps trying; an outage longer than the claim timeout loses the job to another worker.
            log.warn("video job {}: progress not recorded ({})", run.jobId, e.toString());
        }
    }

    private void heartbeat() {
        if (heartbeatsPaused) {
            return;
        }
        for (Run run : running.values()) {
            Stop reason = run.reason();
            if (run.settling || reason == Stop.LOST || reason == Stop.ABANDONED) {
                continue;
            }
            try {
                refresh(shared.sync(), run, RedisScripts.HEARTBEAT);
            } catch (RedisException e) {
                if (!stopping) {
                    log.warn("video job {}: heartbeat failed ({})", run.jobId, e.toString());
                }
            }
        }
    }

    /** Runs a heartbeat-like script and acts on its answer: stop for a cancel, or drop a job now held elsewhere. */
    private void refresh(RedisCommands<String, String> redis, Run run, String script, String... extra) {
        if (abandoned) {
            return;
        }
        switch (run(redis, run, script, extra)) {
            case "cancel" -> run.stop(Stop.CANCELLED);
            case "lost" -> {
                if (run.stop(Stop.LOST)) {
                    log.warn("video job {}: {} no longer holds it (it stalled past the claim timeout); stopping it",
                            run.jobId, run.consumer);
                }
            }
            default -> {
            }
        }
    }

    /** The backend stopped because {@link Run#stop} was called. */
    private void stopped(RedisCommands<String, String> redis, Run run) {
        if (abandoned) {
            return;
        }
        switch (run.reason()) {
            case CANCELLED -> end(redis, run, "cancelled", "", "");
            case RELEASED -> {
                try {
                    String outcome = run(redis, run, RedisScripts.RELEASE,
                            Long.toString(settings.claimIdleTimeout().toMillis()));
                    log.info("video job {} handed back by stopping worker {}: {}", run.jobId, run.consumer, outcome);
                    if (outcome.equals("cancelled")) {
                        discardMedia(run);
                    }
                } catch (RedisException e) {
                    log.warn("video job {}: could not hand it back ({}); another worker takes it over after the "
                            + "claim timeout", run.jobId, e.toString());
                }
            }
            case LOST, ABANDONED -> {
            }
        }
    }

    private void failed(RedisCommands<String, String> redis, Run run, String code, String message, Throwable cause) {
        if (cause instanceof Gpt4VideoException) {
            log.warn("video job {} on {} failed: {} ({})", run.jobId, run.backend, message, code);
        } else {
            log.warn("video job {} on {} failed: {}", run.jobId, run.backend, message, cause);
        }
        end(redis, run, "failed", code, message);
    }

    /** Ends the job without a video (if this worker still holds it) and removes any partial files. */
    private void end(RedisCommands<String, String> redis, Run run, String state, String code, String message) {
        if (abandoned) {
            return;
        }
        try {
            String outcome = run(redis, run, RedisScripts.STOP, state, code, message == null ? "" : message);
            if (outcome.equals(state)) {
                discardMedia(run);
            }
        } catch (RedisException e) {
            log.warn("video job {}: could not record it as {} ({}); another worker takes it over after the claim "
                    + "timeout", run.jobId, state, e.toString());
        }
    }

    private String run(RedisCommands<String, String> redis, Run run, String script, String... extra) {
        if (script.equals(RedisScripts.COMPLETE) || script.equals(RedisScripts.STOP)
                || script.equals(RedisScripts.RELEASE)) {
            // From here the job's state is settled; a heartbeat racing with it would only find it gone.
            run.settling = true;
        }
        return scripts.run(redis, script, run.jobId, run.backend, now(), run.consumer, run.messageId, extra).getFirst();
    }

    private void discardMedia(Run run) {
        try {
            store.discardMedia(run.jobId);
        } catch (IOException e) {
            log.warn("could not remove partial files of {}: {}", run.jobId, e.toString());
        }
    }

    // ---- sweeping ----

    private void sweepIfFirst() {
        try {
            String got = shared.sync().set(keys.sweepLock(), workerId,
                    SetArgs.Builder.nx().px(settings.sweepInterval().toMillis()));
            if ("OK".equals(got)) {
                sweep.sweep(shared.sync());
            }
        } catch (RuntimeException e) {
            if (!stopping) {
                log.warn("sweeping expired video jobs failed: {}", e.toString());
            }
        }
    }

    // ---- state ----

    private long now() {
        return store.clock().millis();
    }

    private void pause() {
        try {
            Thread.sleep(settings.pollInterval());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One consumer thread with its own connection (it blocks on XREADGROUP). */
    private final class Slot {
        final BackendGallery.Entry entry;
        final String name;
        final StatefulRedisConnection<String, String> connection;
        final Thread thread;
        String claimCursor = "0-0";

        Slot(BackendGallery.Entry entry, String name, StatefulRedisConnection<String, String> connection) {
            this.entry = entry;
            this.name = name;
            this.connection = connection;
            this.thread = Thread.ofPlatform().daemon().name("t2v-redis-" + name).unstarted(() -> consume(this));
        }
    }

    /** A job this worker is running. */
    private static final class Run {
        final String jobId;
        final String backend;
        final String consumer;
        final String messageId;
        final Cancellation cancel = new Cancellation();
        private final AtomicReference<Stop> reason = new AtomicReference<>();
        /** Set once the script that ends this run's hold on the job is on its way. */
        volatile boolean settling;

        Run(String jobId, String backend, String consumer, String messageId) {
            this.jobId = jobId;
            this.backend = backend;
            this.consumer = consumer;
            this.messageId = messageId;
        }

        /** Asks the backend to stop; the first reason given wins. Returns whether this call set it. */
        boolean stop(Stop why) {
            if (reason.compareAndSet(null, why)) {
                cancel.cancel();
                return true;
            }
            return false;
        }

        Stop reason() {
            return reason.get();
        }
    }
}
