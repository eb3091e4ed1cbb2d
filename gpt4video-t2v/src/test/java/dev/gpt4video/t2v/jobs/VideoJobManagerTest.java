package dev.gpt4video.t2v.jobs;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.ProgressListener;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.core.t2v.TextToVideoBackend;
import dev.gpt4video.t2v.placeholder.PlaceholderBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VideoJobManagerTest {
    private static final Duration TTL = Duration.ofHours(1);
    private static final long NO_QUOTA = Long.MAX_VALUE;

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private VideoJobManager manager(Path root, long quota, RecordedEvents events, BackendGallery gallery)
            throws Exception {
        ArtifactStore store = new ArtifactStore(root, TTL, quota, clock, new dev.gpt4video.t2v.video.Mp4Encoder());
        VideoJobManager manager = new VideoJobManager(gallery, store,
                new VideoJobManager.Settings(Duration.ZERO, Duration.ofSeconds(30)));
        toClose.add(manager);
        if (events != null) {
            manager.addListener(events);
        }
        return manager;
    }

    private VideoJobManager manager(RecordedEvents events, TextToVideoBackend backend, int workers, int capacity)
            throws Exception {
        return manager(dir, NO_QUOTA, events, BackendGallery.builder().add(backend, workers, capacity).build());
    }

    private static T2vRequest request(String caption) {
        return new T2vRequest(caption, 0L);
    }

    @Test
    void aFullQueueIsRejectedAndJobsRunFirstInFirstOut() throws Exception {
        StepBackend backend = new StepBackend("steps", 1);
        RecordedEvents events = new RecordedEvents();
        VideoJobManager jobs = manager(events, backend, 1, 2);

        VideoJob a = jobs.submit(null, request("a"));
        backend.awaitStep("a", 1);
        VideoJob b = jobs.submit(null, request("b"));
        VideoJob c = jobs.submit("steps", request("c"));

        assertThat(a.id()).matches("video_[0-9a-f]{24}");
        assertThat(jobs.job(a.id()).orElseThrow().state()).isEqualTo(JobState.IN_PROGRESS);
        assertThat(b.state()).isEqualTo(JobState.QUEUED);
        assertThat(List.of(jobs.queuePosition(a.id()), jobs.queuePosition(b.id()), jobs.queuePosition(c.id())))
                .containsExactly(0, 1, 2);
        assertThatThrownBy(() -> jobs.submit(null, request("d")))
                .isInstanceOfSatisfying(Gpt4VideoException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.QUEUE_FULL);
                    assertThat(e.code().httpStatus()).isEqualTo(429);
                });

        backend.allow(1);
        events.await(VideoJobEvent.Completed.class, a.id());
        backend.awaitStep("b", 1);
        assertThat(jobs.queuePosition(b.id())).isZero();
        assertThat(jobs.queuePosition(c.id())).isEqualTo(1);

        backend.allow(2);
        events.await(VideoJobEvent.Completed.class, c.id());
        assertThat(events.timeline()).filteredOn(t -> t.startsWith("started:") || t.startsWith("completed:"))
                .containsExactly("started:a", "completed:a", "started:b", "completed:b", "started:c", "completed:c");
    }

    @Test
    void reportsProgressPerStepAndStoresTheVideo() throws Exception {
        StepBackend backend = new StepBackend("steps", 4);
        RecordedEvents events = new RecordedEvents();
        VideoJobManager jobs = manager(events, backend, 1, 4);

        VideoJob job = jobs.submit(null, request("progress"));
        backend.allow(4);
        VideoJobEvent.Completed done = events.await(VideoJobEvent.Completed.class, job.id());

        assertThat(events.of(job.id())).extracting(VideoJobEvent::type)
                .containsExactly("queued", "started", "progress", "progress", "progress", "progress", "completed");
        assertThat(events.of(job.id())).filteredOn(e -> e instanceof VideoJobEvent.Progress)
                .extracting(e -> ((VideoJobEvent.Progress) e).step() + "/" + e.job().progress())
                .containsExactly("1/25", "2/50", "3/75", "4/99");
        VideoJob finished = jobs.job(job.id()).orElseThrow();
        assertThat(finished.state()).isEqualTo(JobState.COMPLETED);
        assertThat(finished.progress()).isEqualTo(100);
        assertThat(finished.metadata()).isEqualTo(Map.of("backend", "steps"));
        assertThat(done.artifact().width()).isEqualTo(16);
        assertThat(done.artifact().frames()).isEqualTo(2);
        Path video = jobs.videoPath(job.id());
        assertThat(video).isEqualTo(dir.resolve(job.id()).resolve("video.mp4"));
        assertThat(Files.size(video)).isEqualTo(done.artifact().videoBytes());
        assertThat(Files.readString(dir.resolve(job.id()).resolve("job.json"))).contains("\"state\" : \"completed\"");
        assertThat(jobs.posterPath(job.id())).exists();
    }

    @Test
    void cancellingARunningJobStopsItWithinAStepAndTheWorkerTakesTheNext() throws Exception {
        StepBackend backend = new StepBackend("steps", 3);
        RecordedEvents events = new RecordedEvents();
        VideoJobManager jobs = manager(events, backend, 1, 4);

        VideoJob a = jobs.submit(null, request("a"));
        VideoJob b = jobs.submit(null, request("b"));
        backend.awaitStep("a", 1);

        VideoJob cancelling = jobs.cancel(a.id());
        assertThat(cancelling.state()).isEqualTo(JobState.IN_PROGRESS);
        backend.allow(1);
        events.await(VideoJobEvent.Cancelled.class, a.id());

        assertThat(backend.released).contains("a");
        assertThat(backend.began("a", 2)).isFalse();
        assertThat(events.of(a.id())).extracting(VideoJobEvent::type).containsExactly("queued", "started", "cancelled");
        assertThat(jobs.job(a.id()).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThatThrownBy(() -> jobs.videoPath(a.id())).isInstanceOfSatisfying(Gpt4VideoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));

        backend.awaitStep("b", 1);
        assertThat(backend.live.get()).isEqualTo(1);
        backend.allow(3);
        events.await(VideoJobEvent.Completed.class, b.id());
        assertThat(backend.live.get()).isZero();
    }

    @Test
    void cancellingAQueuedJobTakesItOutOfTheQueue() throws Exception {
        StepBackend backend = new StepBackend("steps", 1);
        RecordedEvents events = new RecordedEvents();
        VideoJobManager jobs = manager(events, backend, 1, 4);

        VideoJob a = jobs.submit(null, request("a"));
        backend.awaitStep("a", 1);
        VideoJob b = jobs.submit(null, request("b"));
        VideoJob c = jobs.submit(null, request("c"));

        VideoJob cancelled = jobs.cancel(b.id());
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelled.queuePosition()).isZero();
        assertThat(jobs.queuePosition(c.id())).isEqualTo(1);

        backend.allow(2);
        events.await(VideoJobEvent.Completed.class, c.id());
        assertThat(backend.began("b", 1)).isFalse();
        assertThat(events.of(b.id())).extracting(VideoJobEvent::type).containsExactly("queued", "cancelled");
        // Cancelling a finished job changes nothing.
        assertThat(jobs.cancel(c.id()).state()).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void eachWorkerRunsAJobAtTheSameTime() throws Exception {
        StepBackend backend = new StepBackend("steps", 1);
        RecordedEvents events = new RecordedEvents();
        VideoJobManager jobs = manager(events, backend, 2, 4);

        VideoJob a = jobs.submit(null, request("a"));
        VideoJob b = jobs.submit(null, request("b"));
        backend.awaitStep("a", 1);
        backend.awaitStep("b", 1);
        assertThat(backend.live.get()).isEqualTo(2);

        backend.allow(2);
        events.await(VideoJobEvent.Completed.class, a.id());
        events.await(VideoJobEvent.Completed.class, b.id());
    }

    @Test
    void failuresCarryTheBackendsErrorCodeAndBadSubmissionsAreRejectedUpFront() throws Exception {
        RecordedEvents events = new RecordedEvents();
        VideoJobManager jobs = manager(events, new FailingBackend(), 1, 4);

        VideoJob job = jobs.submit(null, request("boom"));
        VideoJobEvent.Failed failed = events.await(VideoJobEvent.Failed.class, job.id());

        assertThat(failed.error()).isEqualTo(new JobError("checkpoint_tensor_missing", "weights incomplete"));
        assertThat(jobs.job(job.id()).orElseThrow().error().code()).isEqualTo("checkpoint_tensor_missing");
        assertThatThrownBy(() -> jobs.submit("nope", request("x"))).isInstanceOfSatisfying(Gpt4VideoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_NOT_FOUND));
        assertThatThrownBy(() -> jobs.submit(null, new T2vRequest("x", null, 9999, null, null, null, null, 0L, null)))
                .isInstanceOfSatisfying(Gpt4VideoException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        assertThatThrownBy(() -> jobs.videoPath("../../etc")).isInstanceOfSatisfying(Gpt4VideoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheOthers() throws Exception {
        StepBackend backend = new StepBackend("steps", 1);
        VideoJobManager jobs = manager(null, backend, 1, 4);
        jobs.addListener(e -> {
            throw new IllegalStateException("listener bug");
        });
        RecordedEvents events = new RecordedEvents();
        jobs.addListener(events);

        VideoJob job = jobs.submit(null, request("a"));
        backend.allow(1);
        events.await(VideoJobEvent.Completed.class, job.id());
    }

    @Test
    void finishedJobsAreDeletedOnceTheirTtlHasPassed() throws Exception {
        StepBackend backend = new StepBackend("steps", 1);
        RecordedEvents events = new RecordedEvents();
        VideoJobManager jobs = manager(events, backend, 1, 4);
        backend.allow(2);
        VideoJob done = jobs.submit(null, request("done"));
        events.await(VideoJobEvent.Completed.class, done.id());
        clock.advance(Duration.ofMinutes(10));
        VideoJob later = jobs.submit(null, request("later"));
        events.await(VideoJobEvent.Completed.class, later.id());

        clock.advance(TTL.minusMinutes(10).minusSeconds(1));
        assertThat(jobs.sweep()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(jobs.sweep()).containsExactly(done.id());

        assertThat(jobs.job(done.id())).isEmpty();
        assertThat(dir.resolve(done.id())).doesNotExist();
        assertThatThrownBy(() -> jobs.videoPath(done.id())).isInstanceOfSatisfying(Gpt4VideoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(jobs.videoPath(later.id())).exists();
    }

    @Test
    void overTheQuotaTheOldestCompletedVideosGoFirst() throws Exception {
        // One job's directory size, measured in a store without a quota (same frames, same-length fields).
        long oneJob;
        StepBackend measuring = new StepBackend("steps", 1);
        measuring.allow(1);
        RecordedEvents scratchEvents = new RecordedEvents();
        try (VideoJobManager scratch = manager(dir.resolve("scratch"), NO_QUOTA, scratchEvents,
                BackendGallery.builder().add(measuring, 1, 4).build())) {
            VideoJob j = scratch.submit(null, request("job-0"));
            scratchEvents.await(VideoJobEvent.Completed.class, j.id());
            oneJob = sizeOf(dir.resolve("scratch").resolve(j.id()));
        }
        assertThat(oneJob).isPositive();

        StepBackend backend = new StepBackend("steps", 1);
        backend.allow(3);
        RecordedEvents events = new RecordedEvents();
        VideoJobManager jobs = manager(dir.resolve("quota"), oneJob * 5 / 2, events,
                BackendGallery.builder().add(backend, 1, 4).build());
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            VideoJob j = jobs.submit(null, request("job-" + i));
            events.await(VideoJobEvent.Completed.class, j.id());
            ids.add(j.id());
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(jobs.job(ids.get(0))).isEmpty();
        assertThat(dir.resolve("quota").resolve(ids.get(0))).doesNotExist();
        assertThat(jobs.videoPath(ids.get(1))).exists();
        assertThat(jobs.videoPath(ids.get(2))).exists();
    }

    @Test
    void aRestartMarksUnfinishedJobsFailedAndKeepsCompletedOnes() throws Exception {
        StepBackend backend = new StepBackend("steps", 2);
        RecordedEvents events = new RecordedEvents();
        VideoJobManager before = manager(events, backend, 1, 4);
        backend.allow(2);
        VideoJob completed = before.submit(null, request("completed"));
        events.await(VideoJobEvent.Completed.class, completed.id());
        VideoJob running = before.submit(null, request("running"));
        VideoJob queued = before.submit(null, request("queued"));
        backend.awaitStep("running", 1);

        // A second manager on the same directory, as after the first process died mid-job.
        VideoJobManager after = manager(dir, NO_QUOTA, null,
                BackendGallery.builder().add(new StepBackend("steps", 2), 1, 4).build());

        for (VideoJob j : List.of(running, queued)) {
            VideoJob restored = after.job(j.id()).orElseThrow();
            assertThat(restored.state()).isEqualTo(JobState.FAILED);
            assertThat(restored.error().code()).isEqualTo(VideoJobManager.INTERRUPTED);
            assertThat(restored.request().caption()).isEqualTo(j.request().caption());
            assertThat(Files.readString(dir.resolve(j.id()).resolve("job.json"))).contains("\"interrupted\"");
        }
        VideoJob kept = after.job(completed.id()).orElseThrow();
        assertThat(kept.state()).isEqualTo(JobState.COMPLETED);
        assertThat(kept.artifact().frames()).isEqualTo(2);
        assertThat(Files.size(after.videoPath(completed.id()))).isEqualTo(kept.artifact().videoBytes());
        assertThat(after.jobs()).extracting(VideoJob::id).contains(completed.id(), running.id(), queued.id());

        backend.allow(10);
    }

    @Test
    void closingFailsQueuedAndRunningJobsAsInterrupted() throws Exception {
        StepBackend backend = new StepBackend("steps", 3);
        backend.stopWaitingWhenCancelled = true;
        VideoJobManager jobs = manager(null, backend, 1, 4);
        VideoJob running = jobs.submit(null, request("running"));
        VideoJob queued = jobs.submit(null, request("queued"));
        backend.awaitStep("running", 1);

        jobs.close();

        for (VideoJob j : List.of(running, queued)) {
            VideoJob after = jobs.job(j.id()).orElseThrow();
            assertThat(after.state()).as(j.request().caption()).isEqualTo(JobState.FAILED);
            assertThat(after.error().code()).isEqualTo(VideoJobManager.INTERRUPTED);
        }
        assertThat(backend.live.get()).isZero();
        assertThatThrownBy(() -> jobs.submit(null, request("late"))).isInstanceOfSatisfying(Gpt4VideoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_READY));
    }

    @Test
    void runsThePlaceholderBackendEndToEnd() throws Exception {
        RecordedEvents events = new RecordedEvents();
        VideoJobManager jobs = manager(events, new PlaceholderBackend(), 1, 4);

        VideoJob job = jobs.submit("placeholder",
                new T2vRequest("a cat surfing", null, 64, 48, 4, null, null, 1L, 8));
        VideoJobEvent.Completed done = events.await(VideoJobEvent.Completed.class, job.id());

        assertThat(done.job().metadata()).containsEntry("placeholder", true).containsEntry("backend", "placeholder");
        assertThat(events.of(job.id())).filteredOn(e -> e instanceof VideoJobEvent.Progress).hasSize(4);
        assertThat(done.artifact().durationSeconds()).isEqualTo(0.5);
    }

    private static long sizeOf(Path jobDir) throws Exception {
        long total = 0;
        try (var files = Files.list(jobDir)) {
            for (Path f : files.toList()) {
                total += Files.size(f);
            }
        }
        return total;
    }

    /** Fails the way a model with a broken checkpoint would. */
    private static final class FailingBackend implements TextToVideoBackend {
        @Override
        public String name() {
            return "failing";
        }

        @Override
        public BackendCapabilities capabilities() {
            return new BackendCapabilities(16, 16, 2, 8, 1, 0, 64, 64, 8, 10, false);
        }

        @Override
        public GeneratedVideo generate(T2vRequest request, ProgressListener progress, Cancellation cancel) {
            throw new Gpt4VideoException(ErrorCode.CHECKPOINT_TENSOR_MISSING, "weights incomplete");
        }
    }
}
