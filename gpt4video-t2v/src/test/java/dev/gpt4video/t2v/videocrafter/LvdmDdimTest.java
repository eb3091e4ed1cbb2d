package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.gpt4video.t2v.scheduler.DdimScheduler;
import dev.gpt4video.t2v.scheduler.SchedulerConfig;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared DDIM scheduler configured as lvdm's "uniform" DDIM sampler, against lvdm's formulas
 * computed here in double: timesteps {@code (0, c, 2c, ...) + 1}, the schedule
 * {@code betas = linspace(sqrt 0.00085, sqrt 0.012, 1000)^2}, sigma with eta, and the 1024 model's
 * {@code use_scale} step {@code x_prev = sqrt(a_prev) scale_prev / scale_t x0 + dir + sigma z}.
 */
class LvdmDdimTest {

    @Test
    void uniformTimestepsAreLeadingWithOffsetOne() {
        DdimScheduler ddim = new DdimScheduler(SchedulerConfig.stableDiffusion());
        int[] t = ddim.setTimesteps(50);
        assertThat(t[0]).isEqualTo(981);
        assertThat(t[1]).isEqualTo(961);
        assertThat(t[49]).isEqualTo(1);
    }

    @Test
    void scaledEtaStepMatchesLvdm() {
        double[] alphas = new double[1000];
        double a = Math.sqrt(0.00085);
        double b = Math.sqrt(0.012);
        double product = 1;
        for (int i = 0; i < 1000; i++) {
            double root = a + (b - a) * i / 999;
            product *= 1 - root * root;
            alphas[i] = product;
        }
        int steps = 50;
        DdimScheduler ddim = new DdimScheduler(SchedulerConfig.stableDiffusion());
        ddim.setTimesteps(steps);
        double eta = 1.0;
        float x = 0.7f;
        float eps = -0.4f;
        float z = 1.3f;
        for (int t : new int[] {981, 401, 21, 1}) {
            int prev = t - 1000 / steps;
            double at = alphas[t];
            double ap = prev >= 0 ? alphas[prev] : alphas[0];
            double sigma = eta * Math.sqrt((1 - ap) / (1 - at) * (1 - at / ap));
            double x0 = (x - Math.sqrt(1 - at) * eps) / Math.sqrt(at);
            double scaleT = lvdmScale(t);
            double scalePrev = prev >= 0 ? lvdmScale(prev) : lvdmScale(0);
            double expected = Math.sqrt(ap) * scalePrev * (x0 / scaleT) + Math.sqrt(1 - ap - sigma * sigma) * eps + sigma * z;
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray out = ddim.step(m.create(new float[] {eps}), t, m.create(new float[] {x}), eta,
                        m.create(new float[] {z}), scalePrev / scaleT).prevSample();
                assertThat((double) out.toFloatArray()[0]).as("t=%d", t).isCloseTo(expected, Offset.offset(2e-5));
            }
        }
    }

    /** ddpm3d's scale_arr with fix_scale_bug: linspace(1.0, 0.3, 400) then 0.3 for the other 600 steps. */
    private static double lvdmScale(int t) {
        return t < 400 ? 1.0 + (0.3 - 1.0) * t / 399 : 0.3;
    }
}
