package dev.gpt4video.safety.video;

import dev.gpt4video.core.video.Frames;

import java.util.List;

/**
 * Scores single frames for harm categories (nsfwjs, the Stable Diffusion safety checker). A
 * {@link VideoSafetyClassifier} samples frames and aggregates these scores over a video.
 */
public interface FrameClassifier extends AutoCloseable {
    String name();

    /** One score per input frame, in order. */
    List<FrameScore> scoreFrames(Frames frames);

    @Override
    default void close() {
    }
}
