package dev.gpt4video.abstractor;

import ai.djl.ndarray.NDArray;

/** Compresses frame features into a fixed number of tokens in the language model's embedding space. */
public interface VisualAbstractor {

    /** {@code [B, T, N, D]} frame features → {@code [B, tokens(), outputSize()]}, owned by the features' manager. */
    NDArray apply(NDArray frameFeatures);

    /** Output tokens per video. */
    int tokens();

    /** Output width (the language model's hidden size). */
    int outputSize();

    /** Width of the frame features it reads. */
    int inputSize();
}
