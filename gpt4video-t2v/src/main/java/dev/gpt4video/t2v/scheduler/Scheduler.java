package dev.gpt4video.t2v.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * One denoising run's timesteps and update rule. A scheduler holds per-run state (DPM-Solver keeps
 * the previous prediction), so make one per generation.
 *
 * <pre>{@code
 * Scheduler s = new DpmSolverMultistepScheduler(config, requestManager);
 * for (int t : s.setTimesteps(40)) {
 *     latents = s.step(unet(latents, t), t, latents).prevSample();
 * }
 * }</pre>
 */
public interface Scheduler {

    /** Picks {@code steps} timesteps from the training range; returns them, highest first. */
    int[] setTimesteps(int steps);

    /** The timesteps of the last {@link #setTimesteps} call. */
    int[] timesteps();

    /** The standard deviation of the initial noise (1 for DDIM and DPM-Solver). */
    default float initNoiseSigma() {
        return 1f;
    }

    /** Moves {@code sample} from {@code timestep} to the next timestep given the model's output. */
    Step step(NDArray modelOutput, int timestep, NDArray sample);

    /** Short description for metadata, e.g. {@code dpmsolver++ 2M (linspace)}. */
    String describe();

    /** A step's result: the new sample and the model's estimate of the clean sample. */
    record Step(NDArray prevSample, NDArray predictedOriginal) {
    }
}
