package dev.gpt4video.t2v.redis;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.t2v.jobs.ArtifactStore;
import dev.gpt4video.t2v.jobs.BackendGallery;
import dev.gpt4video.t2v.jobs.JobState;
import dev.gpt4video.t2v.jobs.TestClock;
import dev.gpt4video.t2v.jobs.VideoJob;
import dev.gpt4video.t2v.jobs.VideoJobEvent;
import dev.gpt4video.t2v.video.Mp4Encoder;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chat-server clients and workers over a real Redis ({@code GPT4VIDEO_TEST_REDIS}; skipped without
 * it). Every worker has its own Redis client, its own backend and its own view of the shared video
 * directory, as separate processes would. Claims time out after 500 ms here; tests wait for events
 * or states with a deadline, never for a time.
 */
class DistributedGenerationTest {
    private static final Duration TTL = Duration.ofHours(1);

    @TempDir
    Path shared;

    private TestRedis redis;
    private RedisJobSettings settings;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void connect() {
        redis = TestRedis.connectOrSkip();
        settings = RedisJobSettings.defaults().withKeyPrefix(redis.prefix)
                .withTiming(Duration.ofMillis(500), Duration.ofMillis(100), Duration.ofMillis(100));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void jobsSpreadOverBothWorkersAndEachCompletesOnceWithItsProgress() throws Exception {
        ScriptedBackend a = new ScriptedBackend(3, false);
        ScriptedBackend b = new ScriptedBackend(3, false);
        worker("worker-a", a);
        worker("worker-b", b);
        EventLog events = new EventLog();
        RedisVideoJobs jobs = server(events);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(jobs.submit(null, request("job " + i)).id());
        }
        // Each worker runs one job at a time and holds it before step 2: one job runs on each.
        until(() -> a.began().size() == 1 && b.began().size() == 1, "a job running on each worker");
        until(() -> jobs.queueDepth(ScriptedBackend.NAME) == 4, "four jobs waiting");

        a.openGate();
        b.openGate();
        for (String id : ids) {
            events.await(VideoJobEvent.Completed.class, id);
        }

        for (String id : ids) {
            assertThat(events.types(id)).as(id)
                    .containsExactly("queued", "started", "progress", "progress", "progress", "completed");
            assertThat(events.of(id)).filteredOn(e -> e instanceof VideoJobEvent.Progress)
                    .extracting(e -> ((VideoJobEvent.Progress) e).step() + "/" + e.job().progress())
                    .containsExactly("1/33", "2/66", "3/99");
            VideoJob job = jobs.job(id).orElseThrow();
            assertThat(job.state()).isEqualTo(JobState.COMPLETED);
            assertThat(job.progress()).isEqualTo(100);
            assertThat(Files.size(jobs.videoPath(id))).isEqualTo(job.artifact().videoBytes()).isPositive();
            assertThat(jobs.posterPath(id)).isRegularFile();
        }
        // Every job generated exactly once, by one worker or the other, and both did some.
        assertThat(a.finished()).isNotEmpty();
        assertThat(b.finished()).isNotEmpty();
        List<String> all = new ArrayList<>(a.finished());
        all.addAll(b.finished());
        assertThat(all).containsExactlyInAnyOrder("job 0", "job 1", "job 2", "job 3", "job 4", "job 5");
        assertNothingLeftInTheStream();
    }

    @Test
    void aWorkerThatDiesMidJobHasItsJobFinishedByAnotherOnce() throws Exception {
        ScriptedBackend dying = new ScriptedBackend(3, false);
        RedisVideoWorker a = worker("worker-a", dying);
        EventLog events = new EventLog();
        RedisVideoJobs jobs = server(events);

        String id = jobs.submit(null, request("doomed")).id();
        events.await(VideoJobEvent.Progress.class, id);
        ScriptedBackend rescuer = new ScriptedBackend(3, true);
        worker("worker-b", rescuer);
        a.abandon();
        assertThat(a.awaitStopped(Duration.ofSeconds(30))).as("the dead worker's threads ended").isTrue();

        events.await(VideoJobEvent.Completed.class, id);
        assertThat(events.types(id)).containsExactly("queued", "started", "progress",
                "started", "progress", "progress", "progress", "completed");
        assertThat(redis.commands().hget(redis.prefix + ":job:" + id, JobHash.ATTEMPT)).isEqualTo("2");
        assertThat(redis.commands().hget(redis.prefix + ":job:" + id, JobHash.WORKER)).startsWith("worker-b/");
        assertThat(dying.finished()).isEmpty();
        assertThat(rescuer.finished()).containsExactly("doomed");
        assertThat(jobs.videoPath(id)).isRegularFile();

        // The survivor keeps taking work, and the first job still completed only once.
        String next = jobs.submit(null, request("after the crash")).id();
        events.await(VideoJobEvent.Completed.class, next);
        assertThat(events.count(VideoJobEvent.Completed.class, id)).isEqualTo(1);
        assertThat(rescuer.finished()).containsExactly("doomed", "after the crash");
        assertNothingLeftInTheStream();

        // The sweep forgets the dead worker's consumer (it holds nothing now); a live one that is
        // forgotten too is simply made again by its next read.
        String stream = redis.prefix + ":jobs:" + ScriptedBackend.NAME;
        RedisKeys keys = new RedisKeys(redis.prefix);
        assertThat(redis.commands().xinfoConsumers(stream, settings.group())).anyMatch(
                c -> c.toString().contains("worker-a/"));
        new RedisJobSweep(keys, new RedisScripts(keys, settings), new ArtifactStore(shared, TTL, Long.MAX_VALUE),
                Duration.ZERO).sweep(redis.commands());
        assertThat(redis.commands().xinfoConsumers(stream, settings.group())).noneMatch(
                c -> c.toString().contains("worker-a/"));
    }

    @Test
    void aWorkerThatStallsPastTheClaimTimeoutLeavesTheJobToItsNewHolder() throws Exception {
        ScriptedBackend stalling = new ScriptedBackend(3, false);
        RedisVideoWorker a = worker("worker-a", stalling);
        EventLog events = new EventLog();
        RedisVideoJobs jobs = server(events);

        String id = jobs.submit(null, request("contested")).id();
        events.await(VideoJobEvent.Progress.class, id);
        a.heartbeatsPaused = true;
        ScriptedBackend taker = new ScriptedBackend(3, false);
        worker("worker-b", taker);
        events.await(VideoJobEvent.Started.class, id, 2);

        // The stalled worker wakes up: its next step finds the job held by worker-b and stops it.
        stalling.openGate();
        until(() -> stalling.cancelled().contains("contested"), "the stalled worker to drop the job");
        taker.openGate();
        events.await(VideoJobEvent.Completed.class, id);

        assertThat(events.types(id)).containsExactly("queued", "started", "progress",
                "started", "progress", "progress", "progress", "completed");
        assertThat(events.count(VideoJobEvent.Completed.class, id)).isEqualTo(1);
        assertThat(stalling.finished()).isEmpty();
        assertThat(taker.finished()).containsExactly("contested");
        assertNothingLeftInTheStream();
    }

    @Test
    void aJobWhoseWorkersKeepDyingFailsAfterMaxDeliveries() throws Exception {
        settings = settings.withMaxDeliveries(2);
        ScriptedBackend first = new ScriptedBackend(3, false);
        RedisVideoWorker w1 = worker("worker-1", first);
        EventLog events = new EventLog();
        RedisVideoJobs jobs = server(events);

        String id = jobs.submit(null, request("cursed")).id();
        events.await(VideoJobEvent.Progress.class, id, 1);
        w1.abandon();
        assertThat(w1.awaitStopped(Duration.ofSeconds(30))).isTrue();

        ScriptedBackend second = new ScriptedBackend(3, false);
        RedisVideoWorker w2 = worker("worker-2", second);
        events.await(VideoJobEvent.Progress.class, id, 2);
        w2.abandon();
        assertThat(w2.awaitStopped(Duration.ofSeconds(30))).isTrue();

        ScriptedBackend third = new ScriptedBackend(3, true);
        worker("worker-3", third);
        VideoJobEvent.Failed failed = events.await(VideoJobEvent.Failed.class, id);

        assertThat(failed.error().code()).isEqualTo("interrupted");
        assertThat(failed.error().message()).contains("interrupted 2 times");
        assertThat(events.types(id)).containsExactly("queued", "started", "progress", "started", "progress", "failed");
        assertThat(third.began()).isEmpty();
        assertThat(jobs.job(id).orElseThrow().state()).isEqualTo(JobState.FAILED);
        assertNothingLeftInTheStream();
    }

    @Test
    void aRunningJobIsCancelledThroughItsCancelFlag() throws Exception {
        ScriptedBackend backend = new ScriptedBackend(3, false);
        worker("worker", backend);
        EventLog events = new EventLog();
        RedisVideoJobs jobs = server(events);

        String id = jobs.submit(null, request("unwanted")).id();
        events.await(VideoJobEvent.Progress.class, id);
        assertThat(jobs.cancel(id).state()).as("winding down").isEqualTo(JobState.IN_PROGRESS);

        events.await(VideoJobEvent.Cancelled.class, id);
        assertThat(backend.cancelled()).containsExactly("unwanted");
        assertThat(jobs.job(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThatThrownBy(() -> jobs.videoPath(id)).isInstanceOfSatisfying(Gpt4VideoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(shared.resolve(id).resolve(ArtifactStore.VIDEO_FILE)).doesNotExist();
        assertNothingLeftInTheStream();
    }

    @Test
    void aFullQueueIsRejectedAndAQueuedJobIsCancelledBeforeAnyWorkerRunsIt() throws Exception {
        settings = settings.withQueueCapacity(2);
        ScriptedBackend backend = new ScriptedBackend(3, false);
        worker("worker", backend);
        EventLog events = new EventLog();
        RedisVideoJobs jobs = server(events);

        String a = jobs.submit(null, request("a")).id();
        events.await(VideoJobEvent.Progress.class, a);
        VideoJob b = jobs.submit(ScriptedBackend.NAME, request("b"));
        VideoJob c = jobs.submit(null, request("c"));
        assertThat(List.of(b.queuePosition(), c.queuePosition())).containsExactly(1, 2);
        assertThatThrownBy(() -> jobs.submit(null, request("d"))).isInstanceOfSatisfying(Gpt4VideoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.QUEUE_FULL));
        assertThatThrownBy(() -> jobs.submit("no-such-backend", request("e")))
                .isInstanceOfSatisfying(Gpt4VideoException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_NOT_FOUND));

        assertThat(jobs.cancel(b.id()).state()).isEqualTo(JobState.CANCELLED);
        events.await(VideoJobEvent.Cancelled.class, b.id());
        assertThat(jobs.job(c.id()).orElseThrow().queuePosition()).isEqualTo(1);
        assertThat(jobs.jobs()).extracting(VideoJob::id).containsExactly(c.id(), b.id(), a);

        backend.openGate();
        events.await(VideoJobEvent.Completed.class, c.id());
        assertThat(backend.began()).containsExactly("a", "c");
        assertThat(events.types(b.id())).containsExactly("queued", "cancelled");
        assertNothingLeftInTheStream();
    }

    @Test
    void aWorkerThatStopsGracefullyHandsItsJobBackWithoutSpendingADelivery() throws Exception {
        ScriptedBackend leaving = new ScriptedBackend(3, false);
        RedisVideoWorker a = worker("leaving", leaving);
        EventLog events = new EventLog();
        RedisVideoJobs jobs = server(events);

        String id = jobs.submit(null, request("handed back")).id();
        events.await(VideoJobEvent.Progress.class, id);
        ScriptedBackend staying = new ScriptedBackend(3, true);
        worker("staying", staying);
        a.close();

        events.await(VideoJobEvent.Completed.class, id);
        assertThat(events.types(id)).containsExactly("queued", "started", "progress", "queued",
                "started", "progress", "progress", "progress", "completed");
        assertThat(redis.commands().hget(redis.prefix + ":job:" + id, JobHash.ATTEMPT)).isEqualTo("1");
        assertThat(leaving.cancelled()).containsExactly("handed back");
        assertThat(staying.finished()).containsExactly("handed back");
        assertNothingLeftInTheStream();
    }

    @Test
    void aDrainingWorkerFinishesItsJobButTakesNoNewOne() throws Exception {
        settings = settings.withDrainTimeout(Duration.ofSeconds(30));
        ScriptedBackend draining = new ScriptedBackend(3, false);
        RedisVideoWorker a = worker("draining", draining);
        EventLog events = new EventLog();
        RedisVideoJobs jobs = server(events);

        String first = jobs.submit(null, request("finish me")).id();
        events.await(VideoJobEvent.Progress.class, first);
        Thread closing = Thread.ofPlatform().start(a::close);
        until(a::isStopping, "the worker to begin stopping");
        String second = jobs.submit(null, request("for someone else")).id();
        draining.openGate();
        events.await(VideoJobEvent.Completed.class, first);
        closing.join(Duration.ofSeconds(30));
        assertThat(closing.isAlive()).isFalse();

        assertThat(draining.finished()).containsExactly("finish me");
        assertThat(jobs.job(second).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        ScriptedBackend next = new ScriptedBackend(3, true);
        worker("next", next);
        events.await(VideoJobEvent.Completed.class, second);
        assertThat(next.finished()).containsExactly("for someone else");
        assertNothingLeftInTheStream();
    }

    @Test
    void aBackendErrorFailsTheJobWithoutRetrying() throws Exception {
        ScriptedBackend backend = new ScriptedBackend(3, true);
        worker("worker", backend);
        EventLog events = new EventLog();
        RedisVideoJobs jobs = server(events);

        String id = jobs.submit(null, request("fail, please")).id();
        VideoJobEvent.Failed failed = events.await(VideoJobEvent.Failed.class, id);

        assertThat(failed.error().code()).isEqualTo(ErrorCode.GENERATION_FAILED.code());
        assertThat(failed.error().message()).contains("scripted failure");
        assertThat(events.types(id)).containsExactly("queued", "started", "failed");
        assertThat(backend.began()).containsExactly("fail, please");
        assertNothingLeftInTheStream();
    }

    @Test
    void localListenersHearOnlyTheirOwnServersJobs() throws Exception {
        worker("worker", new ScriptedBackend(2, true));
        EventLog all = new EventLog();
        EventLog mine = new EventLog();
        RedisVideoJobs one = server(all);
        one.addLocalListener(mine);
        RedisVideoJobs two = server(null);

        String ours = one.submit(null, request("ours")).id();
        String theirs = two.submit(null, request("theirs")).id();
        all.await(VideoJobEvent.Completed.class, ours);
        all.await(VideoJobEvent.Completed.class, theirs);
        mine.await(VideoJobEvent.Completed.class, ours);

        assertThat(mine.of(theirs)).isEmpty();
        assertThat(one.backends()).containsExactly(ScriptedBackend.NAME);
        assertThat(one.capabilities(null).maxSteps()).isEqualTo(100);
    }

    @Test
    void deletingAFinishedJobRemovesItsStateAndFiles() throws Exception {
        worker("worker", new ScriptedBackend(2, true));
        EventLog events = new EventLog();
        RedisVideoJobs jobs = server(events);
        String first = jobs.submit(null, request("first")).id();
        events.await(VideoJobEvent.Completed.class, first);
        String second = jobs.submit(null, request("second")).id();
        events.await(VideoJobEvent.Completed.class, second);
        Path video = jobs.videoPath(first);

        assertThat(jobs.jobs()).extracting(VideoJob::id).containsExactly(second, first);
        VideoJob deleted = jobs.delete(first);

        assertThat(deleted.state()).isEqualTo(JobState.COMPLETED);
        assertThat(video).doesNotExist();
        assertThat(jobs.job(first)).isEmpty();
        assertThat(jobs.jobs()).extracting(VideoJob::id).containsExactly(second);
        assertThat(jobs.job("not-a-job-id")).isEmpty();
    }

    @Test
    void theSweepDeletesExpiredJobsThenTheOldestOverTheQuota() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
        ArtifactStore workerStore = new ArtifactStore(shared, TTL, Long.MAX_VALUE, clock, new Mp4Encoder());
        worker("worker", new ScriptedBackend(2, true), workerStore);
        EventLog events = new EventLog();
        RedisVideoJobs jobs = server(events);
        List<String> ids = new ArrayList<>();
        for (String caption : List.of("old", "middle", "new")) {
            String id = jobs.submit(null, request(caption)).id();
            events.await(VideoJobEvent.Completed.class, id);
            ids.add(id);
            clock.advance(Duration.ofMinutes(10));
        }
        RedisKeys keys = new RedisKeys(redis.prefix);
        RedisScripts scripts = new RedisScripts(keys, settings);

        // "old" finished at 0:00; at 1:05 it is past the 1 h TTL, the others are not.
        clock.advance(Duration.ofMinutes(35));
        assertThat(new RedisJobSweep(keys, scripts, workerStore, RedisJobSweep.FORGET_CONSUMERS_AFTER).sweep(redis.commands())).containsExactly(ids.get(0));
        // A 1-byte quota keeps only the newest completed video.
        ArtifactStore tiny = new ArtifactStore(shared, TTL, 1, clock, new Mp4Encoder());
        assertThat(new RedisJobSweep(keys, scripts, tiny, RedisJobSweep.FORGET_CONSUMERS_AFTER).sweep(redis.commands())).containsExactly(ids.get(1));

        assertThat(jobs.jobs()).extracting(VideoJob::id).containsExactly(ids.get(2));
        assertThat(shared.resolve(ids.get(0))).doesNotExist();
        assertThat(shared.resolve(ids.get(1))).doesNotExist();
        assertThat(jobs.videoPath(ids.get(2))).isRegularFile();
    }

    // ---- helpers ----

    private RedisVideoWorker worker(String id, ScriptedBackend backend) throws Exception {
        return worker(id, backend, new ArtifactStore(shared, TTL, Long.MAX_VALUE));
    }

    private RedisVideoWorker worker(String id, ScriptedBackend backend, ArtifactStore store) {
        RedisClient client = redis.newClient();
        toClose.add(client::shutdown);
        RedisVideoWorker worker = new RedisVideoWorker(client, BackendGallery.builder().add(backend, 1, 16).build(),
                store, settings, id);
        toClose.add(worker);
        return worker;
    }

    private RedisVideoJobs server(EventLog events) throws Exception {
        RedisClient client = redis.newClient();
        toClose.add(client::shutdown);
        RedisVideoJobs jobs = new RedisVideoJobs(client, new ArtifactStore(shared, TTL, Long.MAX_VALUE), settings);
        toClose.add(jobs);
        if (events != null) {
            jobs.addListener(events);
        }
        return jobs;
    }

    private static T2vRequest request(String caption) {
        return new T2vRequest(caption, 7L);
    }

    /** Every job message was acknowledged and removed: nothing pending, nothing waiting. */
    private void assertNothingLeftInTheStream() throws InterruptedException {
        String stream = redis.prefix + ":jobs:" + ScriptedBackend.NAME;
        until(() -> redis.commands().xlen(stream) == 0, "an empty job stream");
        assertThat(redis.commands().xpending(stream, settings.group()).getCount()).isZero();
    }

    /** Polls {@code condition} until it holds; fails after 30 s. */
    private static void until(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never reached: " + what);
            }
            Thread.sleep(10);
        }
    }
}
