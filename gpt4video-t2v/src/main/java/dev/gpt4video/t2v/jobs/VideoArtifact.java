package dev.gpt4video.t2v.jobs;

import java.nio.file.Path;

/** A finished job's files in the {@link ArtifactStore} and what the video holds. */
public record VideoArtifact(Path video, Path poster, long videoBytes, int width, int height, int frames, double fps) {
    public double durationSeconds() {
        return frames / fps;
    }
}
