package dev.gpt4video.t2v.scheduler;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.List;

/**
 * The training noise schedule shared by the schedulers: betas and their cumulative alpha products,
 * in float32 as diffusers keeps them. Betas are computed in double and rounded once; torch's float32
 * {@code linspace} differs from that by a few ulps depending on the CPU's vector width, far below any
 * tolerance. The cumulative product accumulates in double, as torch's CPU {@code cumprod} does.
 */
public final class NoiseSchedule {
    private final float[] betas;
    private final float[] alphasCumprod;

    private NoiseSchedule(float[] betas) {
        this.betas = betas;
        this.alphasCumprod = new float[betas.length];
        double product = 1;
        for (int i = 0; i < betas.length; i++) {
            product *= (1f - betas[i]);
            alphasCumprod[i] = (float) product;
        }
    }

    static NoiseSchedule from(int trainSteps, double betaStart, double betaEnd, String schedule, List<Double> trained) {
        if (trainSteps < 2) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "scheduler config num_train_timesteps: must be at least 2, got " + trainSteps);
        }
        float[] betas = new float[trainSteps];
        if (trained != null && !trained.isEmpty()) {
            if (trained.size() != trainSteps) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "scheduler config trained_betas: "
                        + trained.size() + " values for " + trainSteps + " timesteps");
            }
            for (int i = 0; i < trainSteps; i++) {
                betas[i] = (float) (double) trained.get(i);
            }
            return new NoiseSchedule(betas);
        }
        switch (schedule) {
            case "linear" -> {
                for (int i = 0; i < trainSteps; i++) {
                    betas[i] = (float) (betaStart + (betaEnd - betaStart) * i / (trainSteps - 1));
                }
            }
            case "scaled_linear" -> {
                double a = Math.sqrt(betaStart);
                double b = Math.sqrt(betaEnd);
                for (int i = 0; i < trainSteps; i++) {
                    // torch squares the float32 linspace: round, then square in float.
                    float root = (float) (a + (b - a) * i / (trainSteps - 1));
                    betas[i] = root * root;
                }
            }
            case "squaredcos_cap_v2" -> {
                for (int i = 0; i < trainSteps; i++) {
                    double t1 = (double) i / trainSteps;
                    double t2 = (double) (i + 1) / trainSteps;
                    betas[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
                }
            }
            default -> throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "scheduler config beta_schedule: '"
                    + schedule + "' is not linear, scaled_linear or squaredcos_cap_v2");
        }
        return new NoiseSchedule(betas);
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    public int trainSteps() {
        return betas.length;
    }

    public float beta(int t) {
        return betas[t];
    }

    public float alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /** DPM-Solver's sigma at training step t: {@code sqrt((1 - a) / a)} in float32. */
    public float sigma(int t) {
        float a = alphasCumprod[t];
        return (float) Math.sqrt((1f - a) / a);
    }
}
