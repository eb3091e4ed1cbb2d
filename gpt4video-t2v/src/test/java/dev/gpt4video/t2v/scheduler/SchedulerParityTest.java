package dev.gpt4video.t2v.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gpt4video.core.config.HfConfigReader;
import dev.gpt4video.t2v.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DDIM and DPM-Solver++ 2M vs t2v-tiny/golden/scheduler_golden.json (diffusers v0.24.0, float32):
 * noise schedule, timestep tables for 3 spacings x 5 step counts, each stored step given its stored
 * inputs (tolerance 1e-5 x max(1,|v|)) and whole 10/25/3-step runs with the fake model
 * {@code 0.1 x + n0} (1e-4 x max(1,|v|)), as the README suggests. Also the v0.29.2 informational
 * runs with final_sigmas_type "zero".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedulerParityTest {
    private static final double STEP_TOLERANCE = 1e-5;
    private static final double RUN_TOLERANCE = 1e-4;
    private JsonNode golden;
    private SchedulerConfig config;
    private NDManager manager;

    @BeforeAll
    void load() {
        golden = Golden.read("scheduler_golden.json");
        config = HfConfigReader.read(Golden.dir().resolve("scheduler/scheduler_config.json"), SchedulerConfig.class);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    void close() {
        manager.close();
    }

    @Test
    void noiseScheduleMatches() {
        NoiseSchedule s = NoiseSchedule.from(1000, 0.00085, 0.012, "scaled_linear", null);
        float[] betas = floats(golden.get("noise_schedule").get("betas"));
        float[] cumprod = floats(golden.get("noise_schedule").get("alphas_cumprod"));
        double worstBeta = 0;
        double worstCumprod = 0;
        for (int t = 0; t < 1000; t++) {
            worstBeta = Math.max(worstBeta, Math.abs(s.beta(t) - betas[t]) / betas[t]);
            worstCumprod = Math.max(worstCumprod, Math.abs(s.alphaCumprod(t) - cumprod[t]) / cumprod[t]);
        }
        System.out.printf("noise schedule: betas max rel %.2e, alphas_cumprod max rel %.2e%n", worstBeta, worstCumprod);
        assertThat(worstBeta).isLessThan(1e-6);
        assertThat(worstCumprod).isLessThan(1e-6);
    }

    @Test
    void timestepTablesMatch() {
        JsonNode tables = golden.get("timestep_tables");
        for (Iterator<Map.Entry<String, JsonNode>> it = tables.get("DDIMScheduler").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String[] key = e.getKey().split("_");
            DdimScheduler ddim = new DdimScheduler(config.withTimestepSpacing(key[0]));
            assertThat(ddim.setTimesteps(Integer.parseInt(key[1]))).as("DDIM " + e.getKey())
                    .isEqualTo(Golden.ints(e.getValue().get("timesteps")));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tables.get("DPMSolverMultistepScheduler").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String[] key = e.getKey().split("_");
            DpmSolverMultistepScheduler dpm = new DpmSolverMultistepScheduler(config.withTimestepSpacing(key[0]), manager);
            assertThat(dpm.setTimesteps(Integer.parseInt(key[1]))).as("DPM " + e.getKey())
                    .isEqualTo(Golden.ints(e.getValue().get("timesteps")));
            float[] sigmas = floats(e.getValue().get("sigmas"));
            float[] got = dpm.sigmas();
            for (int i = 0; i < sigmas.length; i++) {
                assertThat((double) got[i]).as("DPM " + e.getKey() + " sigma " + i)
                        .isCloseTo(sigmas[i], org.assertj.core.data.Offset.offset(1e-6 * sigmas[i]));
            }
        }
    }

    @Test
    void configDefaultsFollowFromConfig() {
        // No timestep_spacing in the file: DDIM keeps "leading", DPM its own "linspace" (diffusers from_config).
        assertThat(new DdimScheduler(config).setTimesteps(3)).containsExactly(667, 334, 1);
        assertThat(new DpmSolverMultistepScheduler(config, manager).setTimesteps(3)).containsExactly(999, 666, 333);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim_leading_10_eta0", "ddim_leading_10_eta1_injected_noise", "ddim_leading_3_eta0",
        "dpmpp2m_linspace_10", "dpmpp2m_leading_10", "dpmpp2m_linspace_3", "dpmpp2m_linspace_25"})
    void trajectoryMatches(String name) {
        JsonNode run = golden.get("trajectories").get(name);
        double[] worst = runTrajectory(name, run, false);
        System.out.printf("scheduler %s: per-step max rel %.2e, whole run final max rel %.2e%n", name, worst[0], worst[1]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dpmpp2m_linspace_3", "dpmpp2m_linspace_10", "dpmpp2m_linspace_25"})
    void newerDiffusersFinalSigmaZeroMatches(String name) {
        JsonNode run = Golden.read("scheduler_dpm_diffusers_v0.29.2_informational.json").get("trajectories").get(name);
        double[] worst = runTrajectory(name, run, true);
        System.out.printf("scheduler %s (v0.29.2, final sigma 0): per-step %.2e, run %.2e%n", name, worst[0], worst[1]);
    }

    private double[] runTrajectory(String name, JsonNode run, boolean finalSigmaZero) {
        boolean ddim = name.startsWith("ddim");
        String spacing = name.split("_")[1];
        int n = Integer.parseInt(name.split("_")[2]);
        double eta = ddim ? run.get("eta").asDouble() : 0;
        try (NDManager m = manager.newSubManager()) {
            SchedulerConfig c = config.withTimestepSpacing(spacing);
            if (finalSigmaZero) {
                c = c.withFinalSigmasType("zero");
            }
            // One scheduler fed the stored inputs step by step, one running on its own outputs.
            Scheduler stepwise = ddim ? new DdimScheduler(c) : new DpmSolverMultistepScheduler(c, m);
            Scheduler free = ddim ? new DdimScheduler(c) : new DpmSolverMultistepScheduler(c, m);
            int[] timesteps = stepwise.setTimesteps(n);
            free.setTimesteps(n);
            assertThat(timesteps).isEqualTo(Golden.ints(run.get("timesteps")));
            NDArray n0 = Golden.tensor(golden.get("fake_model_noise_n0")).toNDArray(m);
            NDArray x = Golden.tensor(golden.get("initial_sample")).toNDArray(m);
            double worstStep = 0;
            for (int k = 0; k < n; k++) {
                JsonNode st = run.get("steps").get(k);
                NDArray sample = Golden.tensor(st.get("sample")).toNDArray(m);
                NDArray output = Golden.tensor(st.get("model_output")).toNDArray(m);
                NDArray noise = ddim && eta > 0 ? Golden.tensor(st.get("variance_noise")).toNDArray(m) : null;
                Scheduler.Step step = ddim
                        ? ((DdimScheduler) stepwise).step(output, timesteps[k], sample, eta, noise)
                        : stepwise.step(output, timesteps[k], sample);
                double d = Math.max(
                        Golden.maxRelDiff(Golden.tensor(st.get("prev_sample")).data(), step.prevSample().toFloatArray()),
                        Golden.maxRelDiff(Golden.tensor(st.get(ddim ? "pred_original_sample" : "x0_pred")).data(),
                                step.predictedOriginal().toFloatArray()));
                assertThat(d).as(name + " step " + k).isLessThan(STEP_TOLERANCE);
                if (!ddim) {
                    assertThat(((DpmSolverMultistepScheduler) stepwise).lastOrder()).as(name + " order at step " + k)
                            .isEqualTo(st.get("solver_order_used").asInt());
                }
                worstStep = Math.max(worstStep, d);

                NDArray fakeOutput = x.mul(0.1f).add(n0);
                x = ddim ? ((DdimScheduler) free).step(fakeOutput, timesteps[k], x, eta, noise).prevSample()
                        : free.step(fakeOutput, timesteps[k], x).prevSample();
            }
            double whole = Golden.maxRelDiff(Golden.tensor(run.get("final_sample")).data(), x.toFloatArray());
            assertThat(whole).as(name + " whole run").isLessThan(RUN_TOLERANCE);
            return new double[] {worstStep, whole};
        }
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.parseFloat(array.get(i).asText());
        }
        return out;
    }
}
