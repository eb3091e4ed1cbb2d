package dev.gpt4video.t2v.jobs;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.video.Frames;
import dev.gpt4video.t2v.video.Mp4Encoder;
import dev.gpt4video.t2v.video.PosterFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Video jobs on disk: one directory per job under {@code root}, named by the job id, holding
 * {@value #STATE_FILE} (the job's state, rewritten atomically on every change), and once completed
 * {@value #VIDEO_FILE} and {@value #POSTER_FILE}.
 *
 * <p>Finished jobs (completed, failed, cancelled) are deleted {@code ttl} after they finished. When
 * the directory holds more than {@code quotaBytes}, completed jobs are deleted oldest-finished first
 * until it fits again; the newest completed video is always kept, so a single video larger than the
 * quota stays until its TTL. Both happen in {@link #sweep()}, which the {@link VideoJobManager} runs
 * periodically and after every completed job.
 *
 * <pre>{@code
 * ArtifactStore store = new ArtifactStore(Path.of("data/videos"), Duration.ofHours(24), 2L << 30);
 * }</pre>
 */
public final class ArtifactStore {
    public static final String VIDEO_FILE = "video.mp4";
    public static final String POSTER_FILE = "poster.png";
    public static final String STATE_FILE = "job.json";

    private static final Logger log = LoggerFactory.getLogger(ArtifactStore.class);

    private final Path root;
    private final Duration ttl;
    private final long quotaBytes;
    private final Clock clock;
    private final Mp4Encoder encoder;
    /** What is on disk, by job id; guarded by {@code this}. */
    private final Map<String, Stored> index = new HashMap<>();

    private record Stored(VideoJob job, long bytes) {
    }

    public ArtifactStore(Path root, Duration ttl, long quotaBytes) throws IOException {
        this(root, ttl, quotaBytes, Clock.systemUTC(), new Mp4Encoder());
    }

    /** {@code clock} decides when a job finished and when it expires (tests move it by hand). */
    public ArtifactStore(Path root, Duration ttl, long quotaBytes, Clock clock, Mp4Encoder encoder) throws IOException {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: " + ttl + " must be positive");
        }
        if (quotaBytes <= 0) {
            throw new IllegalArgumentException("quotaBytes: " + quotaBytes + " must be positive");
        }
        this.root = root.toAbsolutePath();
        this.ttl = ttl;
        this.quotaBytes = quotaBytes;
        this.clock = clock;
        this.encoder = encoder;
        Files.createDirectories(this.root);
    }

    public Path root() {
        return root;
    }

    public Duration ttl() {
        return ttl;
    }

    public long quotaBytes() {
        return quotaBytes;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Reads every job directory, as after a restart: returns the jobs oldest first, exactly as their
     * state files say. Leftover temporary files are removed, and so are job directories whose state
     * file is missing or unreadable (a crash before the first write).
     */
    public synchronized List<VideoJob> load() throws IOException {
        index.clear();
        List<VideoJob> jobs = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : dirs) {
                String id = dir.getFileName().toString();
                if (!JobIds.isValid(id)) {
                    log.warn("ignoring {}: not a job directory", dir);
                    continue;
                }
                removeTemporaryFiles(dir);
                VideoJob job;
                try {
                    job = JobJson.read(Files.readAllBytes(dir.resolve(STATE_FILE)), dir.resolve(VIDEO_FILE),
                            dir.resolve(POSTER_FILE));
                } catch (IOException | RuntimeException e) {
                    log.warn("removing {}: unreadable {} ({})", dir, STATE_FILE, e.toString());
                    deleteTree(dir);
                    continue;
                }
                index.put(id, new Stored(job, sizeOf(dir)));
                jobs.add(job);
            }
        }
        jobs.sort(Comparator.comparing(VideoJob::createdAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(VideoJob::id));
        return jobs;
    }

    /** Writes the job's state file (atomically: readers see the old or the new state, never half). */
    public synchronized void save(VideoJob job) throws IOException {
        Path dir = dir(job.id());
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + STATE_FILE + "." + UUID.randomUUID());
        try {
            Files.write(tmp, JobJson.write(job));
            Files.move(tmp, dir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        index.put(job.id(), new Stored(job, sizeOf(dir)));
    }

    /**
     * Encodes {@code frames} into the job's {@value #VIDEO_FILE} and its middle frame into
     * {@value #POSTER_FILE}. Slow (it encodes), so it holds no lock; the job's next {@link #save}
     * records the new size.
     */
    public VideoArtifact writeArtifact(String id, Frames frames) throws IOException {
        Path dir = dir(id);
        Files.createDirectories(dir);
        Path video = dir.resolve(VIDEO_FILE);
        Path poster = dir.resolve(POSTER_FILE);
        encoder.encode(frames, video);
        PosterFrame.write(frames, PosterFrame.middle(frames), poster);
        Mp4Encoder.Dimensions size = Mp4Encoder.encodedSize(frames.width(), frames.height());
        return new VideoArtifact(video, poster, Files.size(video), size.width(), size.height(), frames.count(),
                frames.fps());
    }

    /** Deletes a job's video and poster but keeps its state file (a job cancelled at the last moment). */
    public synchronized void discardMedia(String id) throws IOException {
        Path dir = dir(id);
        Files.deleteIfExists(dir.resolve(VIDEO_FILE));
        Files.deleteIfExists(dir.resolve(POSTER_FILE));
        if (Files.isDirectory(dir)) {
            removeTemporaryFiles(dir);
        }
        Stored stored = index.get(id);
        if (stored != null) {
            index.put(id, new Stored(stored.job(), sizeOf(dir)));
        }
    }

    /** The MP4 of a completed job, for download (the server serves byte ranges of it). */
    public synchronized Path videoPath(String id) {
        return completedFile(id, VIDEO_FILE);
    }

    public synchronized Path posterPath(String id) {
        return completedFile(id, POSTER_FILE);
    }

    /** Removes a job's directory and everything in it. */
    public synchronized void delete(String id) throws IOException {
        deleteTree(dir(id));
        index.remove(id);
    }

    /** Bytes in all job directories. */
    public synchronized long totalBytes() {
        long total = 0;
        for (Stored s : index.values()) {
            total += s.bytes();
        }
        return total;
    }

    /**
     * Deletes finished jobs older than the TTL, then completed jobs (oldest finished first, the newest
     * always kept) while over the quota. Jobs still queued or running are never touched.
     *
     * @return ids of the jobs deleted
     */
    public synchronized List<String> sweep() {
        Instant now = clock.instant();
        List<String> deleted = new ArrayList<>();
        for (Stored s : List.copyOf(index.values())) {
            VideoJob job = s.job();
            if (job.state().isTerminal() && job.finishedAt() != null && !now.isBefore(job.finishedAt().plus(ttl))) {
                if (tryDelete(job.id())) {
                    log.info("deleted {} ({}): finished {} ago, TTL {}", job.id(), job.state().wireName(),
                            Duration.between(job.finishedAt(), now), ttl);
                    deleted.add(job.id());
                }
            }
        }
        long total = totalBytes();
        if (total > quotaBytes) {
            List<Stored> completed = index.values().stream()
                    .filter(s -> s.job().state() == JobState.COMPLETED)
                    .sorted(Comparator.comparing((Stored s) -> s.job().finishedAt(),
                            Comparator.nullsFirst(Comparator.naturalOrder())).thenComparing(s -> s.job().id()))
                    .toList();
            for (int i = 0; i < completed.size() - 1 && total > quotaBytes; i++) {
                Stored s = completed.get(i);
                if (tryDelete(s.job().id())) {
                    total -= s.bytes();
                    log.info("deleted {} ({} bytes): store over its quota of {} bytes", s.job().id(), s.bytes(),
                            quotaBytes);
                    deleted.add(s.job().id());
                }
            }
        }
        return deleted;
    }

    private boolean tryDelete(String id) {
        try {
            delete(id);
            return true;
        } catch (IOException e) {
            log.warn("could not delete job {}: {}", id, e.toString());
            return false;
        }
    }

    private Path completedFile(String id, String name) {
        Stored stored = index.get(id);
        if (stored == null || stored.job().state() != JobState.COMPLETED) {
            throw new Gpt4VideoException(ErrorCode.NOT_FOUND, "no video for job '" + id + "'"
                    + (stored == null ? "" : ": it is " + stored.job().state().wireName()));
        }
        Path file = dir(id).resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new Gpt4VideoException(ErrorCode.NOT_FOUND, "the " + name + " of job '" + id + "' is gone");
        }
        return file;
    }

    /** The job's directory; ids that are not job ids are unknown (and never become paths). */
    private Path dir(String id) {
        if (!JobIds.isValid(id)) {
            throw new Gpt4VideoException(ErrorCode.NOT_FOUND, "no video job '" + id + "'");
        }
        return root.resolve(id);
    }

    private static void removeTemporaryFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, f -> f.getFileName().toString().startsWith("."))) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path f : files.toList()) {
                try {
                    total += Files.isRegularFile(f) ? Files.size(f) : 0;
                } catch (NoSuchFileException gone) {
                    // A temporary file renamed or removed since the listing.
                }
            }
            return total;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
