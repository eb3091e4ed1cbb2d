package dev.gpt4video.server.chat;

import dev.gpt4video.core.video.Frames;
import dev.gpt4video.llm.llama.Segment;

import java.nio.file.Path;

/** Turns an uploaded video into the embedding rows the language model reads. */
public interface VideoUnderstanding extends AutoCloseable {
    /** Embedding rows per video (65 for mPLUG-Owl: 64 fused queries + {@code vit_eos}). */
    int tokensPerVideo();

    /** Frames sampled when a request does not say ({@code num_frames}). */
    int defaultFrames();

    /**
     * @param frames the sampled frames, for the input-video safety stage
     */
    record Encoded(Segment embeddings, Frames frames) {
    }

    Encoded encode(Path video, int numFrames);

    @Override
    default void close() {
    }
}
