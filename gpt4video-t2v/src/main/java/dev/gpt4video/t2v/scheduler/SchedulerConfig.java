package dev.gpt4video.t2v.scheduler;

import java.util.List;

/**
 * A diffusers {@code scheduler/scheduler_config.json}, every key nullable: each scheduler fills the
 * keys the file leaves out with its own defaults. That is diffusers' {@code from_config} behaviour
 * (keys the stored class only defaulted are dropped), which matters for ZeroScope: its DDIM file has
 * no {@code timestep_spacing}, so DDIM uses "leading" while DPM-Solver uses "linspace".
 */
public record SchedulerConfig(Integer numTrainTimesteps, Double betaStart, Double betaEnd, String betaSchedule,
                              List<Double> trainedBetas, String predictionType, Boolean clipSample,
                              Double clipSampleRange, Boolean setAlphaToOne, Integer stepsOffset, String timestepSpacing,
                              Boolean thresholding, Boolean rescaleBetasZeroSnr, Integer solverOrder,
                              String algorithmType, String solverType, Boolean lowerOrderFinal, Boolean eulerAtFinal,
                              Boolean useKarrasSigmas, Boolean useLuLambdas, String finalSigmasType) {

    /** A config with every key absent (all scheduler defaults). */
    public static SchedulerConfig empty() {
        return new SchedulerConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
    }

    /** Stable Diffusion / ModelScope's training schedule: scaled_linear 0.00085..0.012, epsilon, offset 1. */
    public static SchedulerConfig stableDiffusion() {
        return new SchedulerConfig(1000, 0.00085, 0.012, "scaled_linear", null, "epsilon", false, null, false, 1, null,
                null, null, null, null, null, null, null, null, null, null);
    }

    /** The same config with {@code timestep_spacing} set. */
    public SchedulerConfig withTimestepSpacing(String spacing) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas, predictionType,
                clipSample, clipSampleRange, setAlphaToOne, stepsOffset, spacing, thresholding, rescaleBetasZeroSnr,
                solverOrder, algorithmType, solverType, lowerOrderFinal, eulerAtFinal, useKarrasSigmas, useLuLambdas,
                finalSigmasType);
    }

    /** The same config with {@code final_sigmas_type} set ("sigma_min" or "zero"). */
    public SchedulerConfig withFinalSigmasType(String type) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas, predictionType,
                clipSample, clipSampleRange, setAlphaToOne, stepsOffset, timestepSpacing, thresholding,
                rescaleBetasZeroSnr, solverOrder, algorithmType, solverType, lowerOrderFinal, eulerAtFinal,
                useKarrasSigmas, useLuLambdas, type);
    }

    static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
