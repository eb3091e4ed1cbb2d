package dev.gpt4video.t2v.jobs;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.t2v.video.ColourBars;
import dev.gpt4video.t2v.video.Mp4Encoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactStoreTest {
    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.parse("2026-03-04T05:06:07.123Z"));

    private ArtifactStore store() throws Exception {
        return new ArtifactStore(dir, Duration.ofHours(1), 1L << 30, clock, new Mp4Encoder());
    }

    @Test
    void aSavedJobReadsBackFieldForField() throws Exception {
        ArtifactStore store = store();
        String id = JobIds.next();
        VideoArtifact artifact = store.writeArtifact(id, ColourBars.frames(33, 17, 3, 12.5));
        Instant t = clock.instant();
        VideoJob job = new VideoJob(id, "placeholder",
                new T2vRequest("a cat \"surfing\"", "blurry", 33, 17, 3, 25, 7.5, 42L, 12), JobState.COMPLETED, 100, 0,
                t, t.plusSeconds(1), t.plusSeconds(2), null,
                Map.of("backend", "placeholder", "placeholder", true, "scores", Map.of("nsfw", 0.01)), artifact);
        store.save(job);

        List<VideoJob> loaded = store().load();

        assertThat(loaded).containsExactly(job);
        assertThat(artifact.width()).isEqualTo(34);
        assertThat(artifact.height()).isEqualTo(18);
        assertThat(artifact.video()).isEqualTo(dir.resolve(id).resolve("video.mp4"));
        assertThat(artifact.poster()).isEqualTo(dir.resolve(id).resolve("poster.png"));
    }

    @Test
    void loadingCleansUpWhatACrashLeftBehind() throws Exception {
        ArtifactStore store = store();
        String kept = JobIds.next();
        store.save(job(kept, JobState.FAILED, new JobError("interrupted", "restart")));
        Files.writeString(dir.resolve(kept).resolve(".video.mp4.1234.mux"), "partial");
        String broken = JobIds.next();
        Files.createDirectories(dir.resolve(broken));
        Files.writeString(dir.resolve(broken).resolve("job.json"), "{ not json");
        Files.createDirectories(dir.resolve("not-a-job"));

        List<VideoJob> loaded = store().load();

        assertThat(loaded).extracting(VideoJob::id).containsExactly(kept);
        assertThat(loaded.get(0).error()).isEqualTo(new JobError("interrupted", "restart"));
        try (var files = Files.list(dir.resolve(kept))) {
            assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("job.json");
        }
        assertThat(dir.resolve(broken)).doesNotExist();
        assertThat(dir.resolve("not-a-job")).exists();
    }

    @Test
    void onlyCompletedJobsHaveVideosAndIdsNeverBecomePaths() throws Exception {
        ArtifactStore store = store();
        String id = JobIds.next();
        store.save(job(id, JobState.IN_PROGRESS, null));

        assertThatThrownBy(() -> store.videoPath(id)).isInstanceOfSatisfying(Gpt4VideoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        for (String bad : new String[] {"../x", "video_../../etc", "VIDEO_0123456789abcdef01234567", ""}) {
            assertThatThrownBy(() -> store.videoPath(bad)).isInstanceOfSatisfying(Gpt4VideoException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        }
    }

    @Test
    void sweepingNeverTouchesJobsStillRunning() throws Exception {
        ArtifactStore store = new ArtifactStore(dir, Duration.ofSeconds(1), 1, clock, new Mp4Encoder());
        String running = JobIds.next();
        store.save(job(running, JobState.IN_PROGRESS, null));
        String failed = JobIds.next();
        store.save(job(failed, JobState.FAILED, new JobError("generation_failed", "x")));
        clock.advance(Duration.ofHours(5));

        assertThat(store.sweep()).containsExactly(failed);
        assertThat(dir.resolve(running).resolve("job.json")).exists();
    }

    private VideoJob job(String id, JobState state, JobError error) {
        Instant t = clock.instant();
        return new VideoJob(id, "placeholder", new T2vRequest("caption", 1L), state, 0, 0, t, null,
                state.isTerminal() ? t : null, error, Map.of(), null);
    }
}
