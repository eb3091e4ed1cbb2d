package dev.gpt4video.t2v.scheduler;

import ai.djl.ndarray.NDArray;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import static dev.gpt4video.t2v.scheduler.SchedulerConfig.or;

/**
 * diffusers' {@code DDIMScheduler} (v0.24): previous timestep {@code t - T/n},
 * {@code x0 = (x - sqrt(1-a_t) eps) / sqrt(a_t)},
 * {@code x_prev = sqrt(a_prev) x0 + sqrt(1 - a_prev - s^2) eps + s z} with
 * {@code s = eta sqrt((1-a_prev)/(1-a_t) (1 - a_t/a_prev))}. Scalars are float32 as in diffusers.
 */
public final class DdimScheduler implements Scheduler {
    private final NoiseSchedule schedule;
    private final PredictionType prediction;
    private final boolean clipSample;
    private final float clipRange;
    private final float finalAlphaCumprod;
    private final int stepsOffset;
    private final TimestepSpacing spacing;
    private int[] timesteps = new int[0];
    private int steps;

    public DdimScheduler(SchedulerConfig c) {
        if (Boolean.TRUE.equals(c.thresholding()) || Boolean.TRUE.equals(c.rescaleBetasZeroSnr())) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "scheduler config: thresholding and rescale_betas_zero_snr are not supported");
        }
        this.schedule = NoiseSchedule.from(or(c.numTrainTimesteps(), 1000), or(c.betaStart(), 0.0001),
                or(c.betaEnd(), 0.02), or(c.betaSchedule(), "linear"), c.trainedBetas());
        this.prediction = PredictionType.parse(or(c.predictionType(), "epsilon"));
        this.clipSample = or(c.clipSample(), true);
        this.clipRange = (float) (double) or(c.clipSampleRange(), 1.0);
        this.finalAlphaCumprod = or(c.setAlphaToOne(), true) ? 1f : schedule.alphaCumprod(0);
        this.stepsOffset = or(c.stepsOffset(), 0);
        this.spacing = TimestepSpacing.parse(or(c.timestepSpacing(), "leading"));
    }

    @Override
    public int[] setTimesteps(int n) {
        int train = schedule.trainSteps();
        if (n < 1 || n > train) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "steps: " + n + " is outside 1.." + train);
        }
        int[] t = new int[n];
        switch (spacing) {
            case LEADING -> {
                int ratio = train / n;
                for (int k = 0; k < n; k++) {
                    t[k] = (n - 1 - k) * ratio + stepsOffset;
                }
            }
            case LINSPACE -> {
                for (int k = 0; k < n; k++) {
                    t[k] = (int) TimestepSpacing.round(TimestepSpacing.linspace(train - 1, n, n - 1 - k));
                }
            }
            case TRAILING -> {
                long[] tr = TimestepSpacing.trailing(train, (double) train / n);
                for (int k = 0; k < n; k++) {
                    t[k] = (int) tr[k];
                }
            }
        }
        this.timesteps = t;
        this.steps = n;
        return t.clone();
    }

    @Override
    public int[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public Step step(NDArray modelOutput, int timestep, NDArray sample) {
        return step(modelOutput, timestep, sample, 0, null);
    }

    /** A DDIM step with {@code eta} > 0 adding {@code varianceNoise} (standard normal, sample's shape). */
    public Step step(NDArray modelOutput, int timestep, NDArray sample, double eta, NDArray varianceNoise) {
        return step(modelOutput, timestep, sample, eta, varianceNoise, 1.0);
    }

    /**
     * A DDIM step whose clean-sample term is multiplied by {@code x0Scale}:
     * {@code x_prev = sqrt(a_prev) x0Scale x0 + sqrt(1 - a_prev - s^2) eps + s z}. VideoCrafter's
     * 1024 model (lvdm {@code use_scale}) passes {@code scale_prev / scale_t}; 1 is plain DDIM.
     */
    public Step step(NDArray modelOutput, int timestep, NDArray sample, double eta, NDArray varianceNoise,
                     double x0Scale) {
        if (steps == 0) {
            throw new IllegalStateException("call setTimesteps first");
        }
        int prev = timestep - schedule.trainSteps() / steps;
        float alphaT = schedule.alphaCumprod(timestep);
        float alphaPrev = prev >= 0 ? schedule.alphaCumprod(prev) : finalAlphaCumprod;
        float betaT = 1f - alphaT;
        float sqrtAlphaT = (float) Math.sqrt(alphaT);
        float sqrtBetaT = (float) Math.sqrt(betaT);

        NDArray x0;
        NDArray eps;
        switch (prediction) {
            case EPSILON -> {
                x0 = sample.sub(modelOutput.mul(sqrtBetaT)).div(sqrtAlphaT);
                eps = modelOutput;
            }
            case V_PREDICTION -> {
                x0 = sample.mul(sqrtAlphaT).sub(modelOutput.mul(sqrtBetaT));
                eps = modelOutput.mul(sqrtAlphaT).add(sample.mul(sqrtBetaT));
            }
            default -> {
                x0 = modelOutput;
                eps = sample.sub(modelOutput.mul(sqrtAlphaT)).div(sqrtBetaT);
            }
        }
        if (clipSample) {
            x0 = x0.clip(-clipRange, clipRange);
        }
        float betaPrev = 1f - alphaPrev;
        float variance = (betaPrev / betaT) * (1f - alphaT / alphaPrev);
        float std = (float) (eta * Math.sqrt(variance));
        float direction = (float) Math.sqrt(1f - alphaPrev - std * std);
        NDArray prevSample = x0.mul((float) (Math.sqrt(alphaPrev) * x0Scale)).add(eps.mul(direction));
        if (eta > 0) {
            if (varianceNoise == null) {
                throw new IllegalArgumentException("eta > 0 needs variance noise");
            }
            prevSample = prevSample.add(varianceNoise.mul(std));
        }
        return new Step(prevSample, x0);
    }

    @Override
    public String describe() {
        return "ddim (" + spacing.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
