package dev.gpt4video.t2v.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.Locale;

import static dev.gpt4video.t2v.scheduler.SchedulerConfig.or;

/**
 * diffusers' {@code DPMSolverMultistepScheduler} as DPM-Solver++ (data prediction) of order 1 or 2,
 * midpoint or heun second-order update, no Karras sigmas.
 *
 * <p>Per timestep: {@code sigma = sqrt((1-a)/a)}, {@code alpha = 1/sqrt(sigma^2+1)},
 * {@code s = sigma alpha}, {@code lambda = ln alpha - ln s}. Step k from x with x0 estimate D0:
 * first order {@code x' = (s'/s) x - alpha' (e^-h - 1) D0}; second order adds
 * {@code - 1/2 alpha' (e^-h - 1) (D0 - D_prev) / r} (midpoint), {@code h = lambda' - lambda},
 * {@code r = (lambda - lambda_prev) / h}. The first step is first order; with
 * {@code lower_order_final} so is the last when fewer than 15 steps.
 *
 * <p>End of schedule ({@code final_sigmas_type}): {@code "sigma_min"} ends on sigma(t=0) with the
 * rules above (diffusers v0.24 and the fixture goldens); {@code "zero"} ends on sigma 0 with a
 * first-order last step that returns the x0 estimate (diffusers since v0.26's option; its default).
 * Absent from the config means "sigma_min" here, matching the diffusers version ZeroScope shipped with.
 *
 * <p>The previous x0 estimate is kept in {@code stateManager} between steps.
 */
public final class DpmSolverMultistepScheduler implements Scheduler {
    private final NoiseSchedule schedule;
    private final PredictionType prediction;
    private final int solverOrder;
    private final boolean heun;
    private final boolean lowerOrderFinal;
    private final boolean eulerAtFinal;
    private final boolean finalSigmaZero;
    private final int stepsOffset;
    private final TimestepSpacing spacing;
    private final NDManager stateManager;

    private int[] timesteps = new int[0];
    private float[] sigmas = new float[0];
    private NDArray previousX0;
    private int lowerOrderSteps;
    private int lastOrder;

    public DpmSolverMultistepScheduler(SchedulerConfig c, NDManager stateManager) {
        if (Boolean.TRUE.equals(c.thresholding()) || Boolean.TRUE.equals(c.useKarrasSigmas())
                || Boolean.TRUE.equals(c.useLuLambdas()) || Boolean.TRUE.equals(c.rescaleBetasZeroSnr())) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "scheduler config: thresholding, Karras/Lu sigmas and "
                    + "rescale_betas_zero_snr are not supported");
        }
        String algorithm = or(c.algorithmType(), "dpmsolver++");
        if (!algorithm.equals("dpmsolver++")) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "scheduler config algorithm_type: only dpmsolver++ is supported, got '" + algorithm + "'");
        }
        this.solverOrder = or(c.solverOrder(), 2);
        if (solverOrder != 1 && solverOrder != 2) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "scheduler config solver_order: 1 or 2 are supported, got " + solverOrder);
        }
        String solverType = or(c.solverType(), "midpoint");
        if (!solverType.equals("midpoint") && !solverType.equals("heun")) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "scheduler config solver_type: '" + solverType + "' is not midpoint or heun");
        }
        String finalSigmas = or(c.finalSigmasType(), "sigma_min");
        if (!finalSigmas.equals("sigma_min") && !finalSigmas.equals("zero")) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "scheduler config final_sigmas_type: '" + finalSigmas + "' is not sigma_min or zero");
        }
        this.heun = solverType.equals("heun");
        this.finalSigmaZero = finalSigmas.equals("zero");
        this.schedule = NoiseSchedule.from(or(c.numTrainTimesteps(), 1000), or(c.betaStart(), 0.0001),
                or(c.betaEnd(), 0.02), or(c.betaSchedule(), "linear"), c.trainedBetas());
        this.prediction = PredictionType.parse(or(c.predictionType(), "epsilon"));
        this.lowerOrderFinal = or(c.lowerOrderFinal(), true);
        this.eulerAtFinal = or(c.eulerAtFinal(), false);
        this.stepsOffset = or(c.stepsOffset(), 0);
        this.spacing = TimestepSpacing.parse(or(c.timestepSpacing(), "linspace"));
        this.stateManager = stateManager;
    }

    @Override
    public int[] setTimesteps(int n) {
        int train = schedule.trainSteps();
        if (n < 1 || n > train) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "steps: " + n + " is outside 1.." + train);
        }
        int[] t = new int[n];
        switch (spacing) {
            case LINSPACE -> {
                // n+1 points over [0, T-1], reversed, the final 0 dropped.
                for (int k = 0; k < n; k++) {
                    t[k] = (int) TimestepSpacing.round(TimestepSpacing.linspace(train - 1, n + 1, n - k));
                }
            }
            case LEADING -> {
                int ratio = train / (n + 1);
                for (int k = 0; k < n; k++) {
                    t[k] = (n - k) * ratio + stepsOffset;
                }
            }
            case TRAILING -> {
                long[] tr = TimestepSpacing.trailing(train, (double) train / n);
                for (int k = 0; k < n; k++) {
                    t[k] = (int) tr[k];
                }
            }
        }
        float[] s = new float[n + 1];
        for (int k = 0; k < n; k++) {
            s[k] = schedule.sigma(t[k]);
        }
        s[n] = finalSigmaZero ? 0f : schedule.sigma(0);
        this.timesteps = t;
        this.sigmas = s;
        this.lowerOrderSteps = 0;
        replacePrevious(null);
        return t.clone();
    }

    @Override
    public int[] timesteps() {
        return timesteps.clone();
    }

    /** The n+1 sigmas of the current schedule (the last is the end point). */
    public float[] sigmas() {
        return sigmas.clone();
    }

    /** Solver order the last {@link #step} used (1 or 2). */
    public int lastOrder() {
        return lastOrder;
    }

    @Override
    public Step step(NDArray modelOutput, int timestep, NDArray sample) {
        int index = indexOf(timestep);
        int n = timesteps.length;
        boolean last = index == n - 1;
        boolean lowerFinal = last && (eulerAtFinal || (lowerOrderFinal && n < 15) || finalSigmaZero);
        float sigmaS = sigmas[index];
        float alphaS = alpha(sigmaS);
        float stdS = sigmaS * alphaS;
        NDArray x0 = switch (prediction) {
            case EPSILON -> sample.sub(modelOutput.mul(stdS)).div(alphaS);
            case V_PREDICTION -> sample.mul(alphaS).sub(modelOutput.mul(stdS));
            case SAMPLE -> modelOutput;
        };

        float sigmaT = sigmas[index + 1];
        boolean secondOrder = solverOrder == 2 && lowerOrderSteps >= 1 && !lowerFinal && previousX0 != null;
        NDArray prev;
        if (sigmaT == 0f) {
            // sigma 0: alpha 1, s 0, so the update is exactly the x0 estimate (avoids ln 0).
            prev = x0.duplicate();
            secondOrder = false;
        } else {
            float alphaT = alpha(sigmaT);
            float stdT = sigmaT * alphaT;
            float lambdaT = lambda(alphaT, stdT);
            float lambdaS = lambda(alphaS, stdS);
            float h = lambdaT - lambdaS;
            float expm = (float) Math.exp(-h) - 1f;
            float dataCoeff = alphaT * expm;
            prev = sample.mul(stdT / stdS).sub(x0.mul(dataCoeff));
            if (secondOrder) {
                float sigmaPrev = sigmas[index - 1];
                float alphaPrev = alpha(sigmaPrev);
                float lambdaPrev = lambda(alphaPrev, sigmaPrev * alphaPrev);
                float r0 = (lambdaS - lambdaPrev) / h;
                NDArray d1 = x0.sub(previousX0).mul(1f / r0);
                float coeff = heun ? alphaT * (expm / h + 1f) : 0.5f * dataCoeff;
                prev = heun ? prev.add(d1.mul(coeff)) : prev.sub(d1.mul(coeff));
            }
        }
        lastOrder = secondOrder ? 2 : 1;
        if (lowerOrderSteps < solverOrder) {
            lowerOrderSteps++;
        }
        if (solverOrder == 2) {
            NDArray keep = x0.duplicate();
            keep.attach(stateManager);
            replacePrevious(keep);
        }
        return new Step(prev, x0);
    }

    private void replacePrevious(NDArray next) {
        if (previousX0 != null) {
            previousX0.close();
        }
        previousX0 = next;
    }

    private int indexOf(int timestep) {
        for (int i = 0; i < timesteps.length; i++) {
            if (timesteps[i] == timestep) {
                return i;
            }
        }
        throw new IllegalArgumentException("timestep " + timestep + " is not in the schedule; call setTimesteps first");
    }

    private static float alpha(float sigma) {
        return 1f / (float) Math.sqrt(sigma * sigma + 1f);
    }

    private static float lambda(float alpha, float std) {
        return (float) Math.log(alpha) - (float) Math.log(std);
    }

    @Override
    public String describe() {
        return "dpmsolver++ " + solverOrder + "M (" + spacing.name().toLowerCase(Locale.ROOT) + ")";
    }
}
