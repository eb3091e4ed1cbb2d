package dev.gpt4video.t2v.jobs;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.T2vRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs text-to-video jobs in the background: a bounded FIFO queue per backend, worker threads that
 * take jobs from it, progress per denoising step, cancellation, and the finished MP4 in an
 * {@link ArtifactStore}.
 *
 * <pre>{@code
 * try (VideoJobManager jobs = new VideoJobManager(gallery, store)) {
 *     jobs.addListener(event -> sse.send(event.type(), event.job()));
 *     VideoJob job = jobs.submit(null, new T2vRequest("a cat surfing", 42L)); // default backend
 *     …
 *     Path mp4 = jobs.videoPath(job.id());
 * }
 * }</pre>
 *
 * <p>States: {@code queued → in_progress → completed | failed | cancelled}; a queued job can also
 * go straight to {@code cancelled}. A submission to a backend whose queue already holds
 * {@code queueCapacity} waiting jobs fails with {@link ErrorCode#QUEUE_FULL}. Cancelling a running
 * job sets its {@link Cancellation}; the backend stops within one step, drops what it allocated and
 * the worker takes the next job.
 *
 * <p>Every state change is written to the job's {@code job.json}. When a manager starts on a store
 * that holds jobs still {@code queued} or {@code in_progress} (the previous process died or was
 * stopped), those jobs become {@code failed} with code {@value #INTERRUPTED}; completed jobs stay
 * downloadable until their TTL.
 */
public final class VideoJobManager implements AutoCloseable {
    /** Error code of jobs cut short by a restart or shutdown. */
    public static final String INTERRUPTED = "interrupted";

    private static final Logger log = LoggerFactory.getLogger(VideoJobManager.class);
    private static final VideoJobEvent STOP = new VideoJobEvent.Cancelled(null);

    /** How often expired artifacts are swept (zero: only after each completed job) and how long close() waits. */
    public record Settings(Duration sweepInterval, Duration shutdownTimeout) {
        public Settings {
            if (sweepInterval == null || sweepInterval.isNegative()) {
                throw new IllegalArgumentException("sweepInterval: " + sweepInterval + " must be >= 0");
            }
            if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout: " + shutdownTimeout + " must be >= 0");
            }
        }

        public static Settings defaults() {
            return new Settings(Duration.ofMinutes(1), Duration.ofSeconds(30));
        }
    }

    /** Removes a listener. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private final BackendGallery gallery;
    private final ArtifactStore store;
    private final Settings settings;

    /** Guards every job and queue below; never held while a backend runs or an MP4 is encoded. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Map<String, Lane> lanes = new LinkedHashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    private boolean closed;

    private final List<VideoJobListener> listeners = new CopyOnWriteArrayList<>();
    private final BlockingQueue<VideoJobEvent> events = new LinkedBlockingQueue<>();
    private final Thread dispatcher;
    private final ScheduledExecutorService sweeper;

    public VideoJobManager(BackendGallery gallery, ArtifactStore store) throws IOException {
        this(gallery, store, Settings.defaults());
    }

    public VideoJobManager(BackendGallery gallery, ArtifactStore store, Settings settings) throws IOException {
        this.gallery = gallery;
        this.store = store;
        this.settings = settings;
        recover();
        store.sweep().forEach(jobs::remove);

        for (BackendGallery.Entry entry : gallery.entries()) {
            Lane lane = new Lane(entry);
            lanes.put(entry.name(), lane);
            for (int i = 0; i < entry.workers(); i++) {
                Thread worker = Thread.ofPlatform().daemon().name("t2v-" + entry.name() + "-" + i)
                        .unstarted(() -> work(lane));
                workers.add(worker);
            }
        }
        dispatcher = Thread.ofPlatform().daemon().name("t2v-job-events").unstarted(this::dispatch);
        dispatcher.start();
        workers.forEach(Thread::start);
        if (settings.sweepInterval().isZero()) {
            sweeper = null;
        } else {
            sweeper = Executors.newSingleThreadScheduledExecutor(
                    r -> Thread.ofPlatform().daemon().name("t2v-artifact-sweep").unstarted(r));
            long every = settings.sweepInterval().toMillis();
            sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** The backends this manager runs, by name, default first. */
    public BackendGallery gallery() {
        return gallery;
    }

    /** What {@code backend} (null: the default) produces; {@code model_not_found} for an unknown name. */
    public dev.gpt4video.core.t2v.BackendCapabilities capabilities(String backend) {
        return gallery.entry(backend).backend().capabilities();
    }

    /** Jobs waiting on {@code backend}'s queue (for metrics). */
    public int queueDepth(String backend) {
        lock.lock();
        try {
            return (int) jobs.values().stream()
                    .filter(j -> j.state == JobState.QUEUED && j.backend.equals(backend)).count();
        } finally {
            lock.unlock();
        }
    }

    /** Queues a job on {@code backend} (null: the gallery's default) and returns it as queued. */
    public VideoJob submit(String backend, T2vRequest request) {
        BackendGallery.Entry entry = gallery.entry(backend);
        T2vRequest resolved = request.resolve(entry.backend().capabilities());
        lock.lock();
        try {
            if (closed) {
                throw new Gpt4VideoException(ErrorCode.NOT_READY, "the video job manager is shut down");
            }
            Lane lane = lanes.get(entry.name());
            if (lane.waiting.size() >= entry.queueCapacity()) {
                throw new Gpt4VideoException(ErrorCode.QUEUE_FULL, "the queue of video backend '" + entry.name()
                        + "' is full (" + lane.waiting.size() + " jobs waiting); try again later");
            }
            Job job = new Job(JobIds.next(), lane, resolved, now());
            try {
                store.save(snapshot(job));
            } catch (IOException e) {
                throw new Gpt4VideoException(ErrorCode.INTERNAL, "could not store video job: " + e.getMessage(), e);
            }
            jobs.put(job.id, job);
            lane.waiting.addLast(job);
            lane.ready.signal();
            VideoJob queued = snapshot(job);
            publish(new VideoJobEvent.Queued(queued));
            return queued;
        } finally {
            lock.unlock();
        }
    }

    public Optional<VideoJob> job(String id) {
        lock.lock();
        try {
            Job job = jobs.get(id);
            return job == null ? Optional.empty() : Optional.of(snapshot(job));
        } finally {
            lock.unlock();
        }
    }

    /** Every known job, newest first. */
    public List<VideoJob> jobs() {
        lock.lock();
        try {
            List<VideoJob> all = new ArrayList<>();
            for (Job job : jobs.values()) {
                all.add(snapshot(job));
            }
            all.sort(Comparator.comparing(VideoJob::createdAt).reversed());
            return all;
        } finally {
            lock.unlock();
        }
    }

    /** 1 for the next job to run on its backend, 2 for the one after…; 0 once started or finished. */
    public int queuePosition(String id) {
        lock.lock();
        try {
            return queuePosition(existing(id));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels a job: a queued one leaves the queue at once; a running one is asked to stop and
     * becomes {@code cancelled} when its backend does (within one step). Finished jobs stay as they are.
     *
     * @return the job after the call (still {@code in_progress} while a running job winds down)
     */
    public VideoJob cancel(String id) {
        lock.lock();
        try {
            Job job = existing(id);
            if (job.state == JobState.QUEUED) {
                job.lane.waiting.remove(job);
                finish(job, JobState.CANCELLED, null);
                publish(new VideoJobEvent.Cancelled(snapshot(job)));
            } else if (job.state == JobState.IN_PROGRESS && !job.cancel.isCancelled()) {
                job.cancelRequested = true;
                job.cancel.cancel();
            }
            return snapshot(job);
        } finally {
            lock.unlock();
        }
    }

    /** The MP4 of a completed job ({@link ErrorCode#NOT_FOUND} otherwise), for download with range requests. */
    public Path videoPath(String id) {
        lock.lock();
        try {
            Job job = existing(id);
            if (job.state != JobState.COMPLETED) {
                throw new Gpt4VideoException(ErrorCode.NOT_FOUND, "job '" + id + "' has no video: it is "
                        + job.state.wireName());
            }
            return store.videoPath(id);
        } finally {
            lock.unlock();
        }
    }

    public Path posterPath(String id) {
        lock.lock();
        try {
            existing(id);
            return store.posterPath(id);
        } finally {
            lock.unlock();
        }
    }

    public Subscription addListener(VideoJobListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Removes a finished job and its files (Videos API {@code DELETE}); a queued or running job is
     * cancelled instead and stays listed until it ends. Returns the job as it was.
     */
    public VideoJob delete(String id) {
        lock.lock();
        try {
            Job job = existing(id);
            if (job.state == JobState.QUEUED || job.state == JobState.IN_PROGRESS) {
                return cancel(id);
            }
            VideoJob last = snapshot(job);
            try {
                store.delete(id);
            } catch (IOException e) {
                throw new Gpt4VideoException(ErrorCode.INTERNAL, "cannot delete video '" + id + "': " + e.getMessage(), e);
            }
            jobs.remove(id);
            return last;
        } finally {
            lock.unlock();
        }
    }

    /** Deletes expired jobs and enforces the store's quota now; returns the ids deleted. */
    public List<String> sweep() {
        lock.lock();
        try {
            List<String> deleted = store.sweep();
            deleted.forEach(jobs::remove);
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking jobs: queued ones and running ones that do not finish their current step in time
     * end as {@code failed}/{@value #INTERRUPTED}. Backends are not closed (the gallery's owner does that).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Lane lane : lanes.values()) {
                for (Job job : lane.waiting) {
                    finish(job, JobState.FAILED, new JobError(INTERRUPTED, "the server shut down before the job started"));
                    publish(new VideoJobEvent.Failed(snapshot(job), job.error));
                }
                lane.waiting.clear();
                lane.ready.signalAll();
            }
            for (Job job : jobs.values()) {
                if (job.state == JobState.IN_PROGRESS) {
                    job.cancel.cancel();
                }
            }
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        for (Thread worker : workers) {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    worker.join(Duration.ofNanos(left));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        events.add(STOP);
        try {
            dispatcher.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- workers ----

    private void work(Lane lane) {
        while (true) {
            Job job;
            lock.lock();
            try {
                while (lane.waiting.isEmpty() && !closed) {
                    lane.ready.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                job = lane.waiting.removeFirst();
                job.state = JobState.IN_PROGRESS;
                job.startedAt = now();
                persist(job);
                publish(new VideoJobEvent.Started(snapshot(job)));
            } finally {
                lock.unlock();
            }
            run(job);
        }
    }

    private void run(Job job) {
        Cancellation cancel = job.cancel;
        try {
            GeneratedVideo video = job.lane.entry.backend().generate(job.request,
                    (step, total) -> progress(job, step, total), cancel);
            cancel.throwIfCancelled();
            VideoArtifact artifact = store.writeArtifact(job.id, video.frames());
            complete(job, artifact, video.metadata());
        } catch (Gpt4VideoException e) {
            if (e.code() == ErrorCode.CANCELLED && cancel.isCancelled()) {
                stopped(job);
            } else {
                fail(job, new JobError(e.code().code(), e.getMessage()), e);
            }
        } catch (Exception | Error e) {
            // Errors too: an UnsatisfiedLinkError from a native library or an OutOfMemoryError must
            // fail this job, not kill the worker and leave the job in_progress forever.
            fail(job, new JobError(ErrorCode.GENERATION_FAILED.code(), e.toString()), e);
        }
        // Nothing of the generation is referenced past this point: the frames are garbage now.
    }

    private void progress(Job job, int step, int total) {
        lock.lock();
        try {
            if (job.state != JobState.IN_PROGRESS || total <= 0) {
                return;
            }
            // 100 is kept for "stored": encoding and writing the MP4 come after the last step.
            job.progress = Math.min(99, Math.max(job.progress, (int) ((long) step * 100 / total)));
            publish(new VideoJobEvent.Progress(snapshot(job), step, total));
        } finally {
            lock.unlock();
        }
    }

    private void complete(Job job, VideoArtifact artifact, Map<String, Object> metadata) throws IOException {
        lock.lock();
        try {
            if (job.cancel.isCancelled()) {
                // Cancelled while the MP4 was being written: the user asked, so no video.
                store.discardMedia(job.id);
                stopped(job);
                return;
            }
            job.progress = 100;
            job.metadata = metadata;
            job.artifact = artifact;
            finish(job, JobState.COMPLETED, null);
            // Enforce the quota before announcing the new video (the sweep always keeps the newest),
            // so a listener never sees a total above the quota with older videos still listed.
            store.sweep().forEach(jobs::remove);
            publish(new VideoJobEvent.Completed(snapshot(job), artifact));
        } finally {
            lock.unlock();
        }
    }

    /** The backend stopped because of {@link #cancel} or {@link #close}. */
    private void stopped(Job job) {
        lock.lock();
        try {
            if (job.cancelRequested) {
                finish(job, JobState.CANCELLED, null);
                publish(new VideoJobEvent.Cancelled(snapshot(job)));
            } else {
                finish(job, JobState.FAILED, new JobError(INTERRUPTED, "the server shut down while the job ran"));
                publish(new VideoJobEvent.Failed(snapshot(job), job.error));
            }
        } finally {
            lock.unlock();
        }
    }

    private void fail(Job job, JobError error, Throwable cause) {
        if (cause instanceof Gpt4VideoException) {
            log.warn("video job {} on {} failed: {} ({})", job.id, job.lane.entry.name(), error.message(), error.code());
        } else {
            log.warn("video job {} on {} failed: {}", job.id, job.lane.entry.name(), error.message(), cause);
        }
        lock.lock();
        try {
            try {
                store.discardMedia(job.id);
            } catch (IOException e) {
                log.warn("could not remove partial files of {}: {}", job.id, e.toString());
            }
            finish(job, JobState.FAILED, error);
            publish(new VideoJobEvent.Failed(snapshot(job), error));
        } finally {
            lock.unlock();
        }
    }

    /** Moves a job to a terminal state and writes it down; caller holds the lock. */
    private void finish(Job job, JobState state, JobError error) {
        job.state = state;
        job.error = error;
        job.finishedAt = now();
        persist(job);
    }

    // ---- restart, sweeping, events ----

    private void recover() throws IOException {
        for (VideoJob stored : store.load()) {
            Job job = Job.restored(stored);
            if (!stored.state().isTerminal()) {
                job.state = JobState.FAILED;
                job.error = new JobError(INTERRUPTED, "the server restarted before the job finished (it was "
                        + stored.state().wireName() + ")");
                job.finishedAt = now();
                store.discardMedia(job.id);
                store.save(snapshot(job));
                log.info("video job {} was {} when the server stopped: marked failed/{}", job.id,
                        stored.state().wireName(), INTERRUPTED);
            }
            jobs.put(job.id, job);
        }
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            log.warn("artifact sweep failed: {}", e.toString(), e);
        }
    }

    private void persist(Job job) {
        try {
            store.save(snapshot(job));
        } catch (IOException e) {
            log.error("could not write the state of video job {}: {}", job.id, e.toString());
        }
    }

    /** Events are queued under the lock, so listeners see them in the order the state changed. */
    private void publish(VideoJobEvent event) {
        events.add(event);
    }

    private void dispatch() {
        while (true) {
            VideoJobEvent event;
            try {
                event = events.take();
            } catch (InterruptedException e) {
                return;
            }
            if (event == STOP) {
                return;
            }
            for (VideoJobListener listener : listeners) {
                try {
                    listener.onEvent(event);
                } catch (RuntimeException e) {
                    log.warn("video job listener failed on {} of {}: {}", event.type(), event.job().id(), e.toString(), e);
                }
            }
        }
    }

    // ---- state ----

    private Job existing(String id) {
        Job job = jobs.get(id);
        if (job == null) {
            throw new Gpt4VideoException(ErrorCode.NOT_FOUND, "no video job '" + id + "'");
        }
        return job;
    }

    private int queuePosition(Job job) {
        if (job.state != JobState.QUEUED || job.lane == null) {
            return 0;
        }
        int position = 1;
        for (Job waiting : job.lane.waiting) {
            if (waiting == job) {
                return position;
            }
            position++;
        }
        return 0;
    }

    private VideoJob snapshot(Job job) {
        return new VideoJob(job.id, job.backend, job.request, job.state, job.progress, queuePosition(job),
                job.createdAt, job.startedAt, job.finishedAt, job.error, job.metadata, job.artifact);
    }

    private Instant now() {
        return store.clock().instant();
    }

    private final class Lane {
        final BackendGallery.Entry entry;
        final ArrayDeque<Job> waiting = new ArrayDeque<>();
        final Condition ready = lock.newCondition();

        Lane(BackendGallery.Entry entry) {
            this.entry = entry;
        }
    }

    /** A job's mutable state; guarded by the manager's lock. */
    private static final class Job {
        final String id;
        final String backend;
        final Lane lane;
        final T2vRequest request;
        final Instant createdAt;
        final Cancellation cancel = new Cancellation();
        JobState state = JobState.QUEUED;
        boolean cancelRequested;
        int progress;
        Instant startedAt;
        Instant finishedAt;
        JobError error;
        Map<String, Object> metadata = Map.of();
        VideoArtifact artifact;

        Job(String id, Lane lane, T2vRequest request, Instant createdAt) {
            this(id, lane.entry.name(), lane, request, createdAt);
        }

        private Job(String id, String backend, Lane lane, T2vRequest request, Instant createdAt) {
            this.id = id;
            this.backend = backend;
            this.lane = lane;
            this.request = request;
            this.createdAt = createdAt;
        }

        /** A job read back from the store: it has no lane, it will not run again. */
        static Job restored(VideoJob stored) {
            Job job = new Job(stored.id(), stored.backend(), null, stored.request(), stored.createdAt());
            job.state = stored.state();
            job.progress = stored.progress();
            job.startedAt = stored.startedAt();
            job.finishedAt = stored.finishedAt();
            job.error = stored.error();
            job.metadata = stored.metadata();
            job.artifact = stored.artifact();
            return job;
        }
    }
}
