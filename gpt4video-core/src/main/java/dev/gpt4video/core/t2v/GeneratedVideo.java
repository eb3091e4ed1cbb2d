package dev.gpt4video.core.t2v;

import dev.gpt4video.core.video.Frames;

import java.util.Map;

/** A backend's output frames plus metadata surfaced to clients (backend name, seed, placeholder flag…). */
public record GeneratedVideo(Frames frames, Map<String, Object> metadata) {
    public GeneratedVideo {
        metadata = Map.copyOf(metadata);
    }
}
