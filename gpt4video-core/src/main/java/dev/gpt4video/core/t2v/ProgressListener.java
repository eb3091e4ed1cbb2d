package dev.gpt4video.core.t2v;

/** Called after each denoising step ({@code step} counts from 1 to {@code total}). */
@FunctionalInterface
public interface ProgressListener {
    void onStep(int step, int total);
}
