package dev.gpt4video.t2v.zeroscope;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.runtime.RuntimeOptions;
import dev.gpt4video.core.video.Frames;
import dev.gpt4video.t2v.nn.Probe;
import dev.gpt4video.t2v.scheduler.Scheduler;
import dev.gpt4video.t2v.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ZeroScopePipeline vs t2v-tiny/golden/pipeline_golden.json (diffusers v0.24 TextToVideoSDPipeline on
 * the fixture folder, CPU float32, "a cat playing piano", 2 frames of 16x16, 3 steps, guidance 9,
 * DDIM and DPM-Solver++ from the stored initial latents).
 *
 * <p>Tolerances: the UNet's float32 noise (3e-6, the size of the reference's own float32-vs-float64
 * difference) is multiplied by the guidance scale (9) and, in a step, by sigma/alpha (14.6 at
 * t = 999), which puts exact-math implementations at ~1e-4 relative on step outputs (measured
 * 1.0e-4 on DPM's first step) and ~2e-4 after three free-running steps. So: noise predictions and
 * decoded video abs 1e-4; each step from the golden's own inputs 3e-4 x max(1,|v|); the free run's
 * latents 1e-3 x max(1,|v|); uint8 frames equal except +-1 where the reference value lies within
 * 255 x 1e-4 of a rounding boundary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZeroScopePipelineParityTest {
    private static final double ABS = 1e-4;
    private static final double STEP_REL = 3e-4;
    private static final double RUN_REL = 1e-3;
    private InferenceRuntime runtime;
    private JsonNode golden;
    private ZeroScopePipeline ddim;
    private ZeroScopePipeline dpm;
    private String prompt;
    private double guidance;

    @BeforeAll
    void load() {
        golden = Golden.read("pipeline_golden.json");
        prompt = golden.get("call").get("prompt").asText();
        guidance = golden.get("call").get("guidance_scale").asDouble();
        runtime = InferenceRuntime.create(RuntimeOptions.defaults());
        ZeroScopeOptions tiny = ZeroScopeOptions.defaults().withDefaults(16, 16, 2, 3);
        ddim = ZeroScopePipeline.load(Golden.dir(), runtime, tiny.withScheduler(ZeroScopeOptions.DDIM));
        dpm = ZeroScopePipeline.load(Golden.dir(), runtime, tiny);
    }

    @AfterAll
    void close() {
        ddim.close();
        dpm.close();
        runtime.close();
    }

    @Test
    void promptsAndEmbeddingsMatch() {
        assertThat(ddim.tokenizer().encode(prompt)).isEqualTo(Golden.ints(golden.get("prompt_input_ids")));
        assertThat(ddim.tokenizer().encode("")).isEqualTo(Golden.ints(golden.get("negative_prompt_input_ids")));
        try (NDManager m = runtime.newRequestManager()) {
            float[] ctx = ddim.encodePrompts(m, prompt, null, true).toFloatArray();
            float[] neg = Golden.tensor(golden.get("negative_prompt_embeds")).data();
            float[] pos = Golden.tensor(golden.get("prompt_embeds")).data();
            assertThat(Golden.maxAbsDiff(neg, java.util.Arrays.copyOfRange(ctx, 0, neg.length))).isLessThan(ABS);
            assertThat(Golden.maxAbsDiff(pos, java.util.Arrays.copyOfRange(ctx, neg.length, ctx.length))).isLessThan(ABS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim_3_steps", "dpmpp2m_3_steps"})
    void eachStepFromTheGoldenInputsMatches(String name) {
        JsonNode run = golden.get("runs").get(name);
        ZeroScopePipeline p = name.startsWith("ddim") ? ddim : dpm;
        try (NDManager m = runtime.newRequestManager()) {
            NDArray context = p.encodePrompts(m, prompt, null, true);
            Scheduler scheduler = p.newScheduler(m);
            int[] timesteps = scheduler.setTimesteps(3);
            assertThat(timesteps).isEqualTo(Golden.ints(run.get("timesteps")));
            double worstNoise = 0;
            double worstStep = 0;
            for (int k = 0; k < 3; k++) {
                JsonNode st = run.get("steps").get(k);
                NDArray in = Golden.tensor(st.get("latents_in")).toNDArray(m);
                Map<String, float[]> seen = new HashMap<>();
                NDArray noise = p.predictNoise(in, timesteps[k], context, guidance, collect(seen));
                NDArray out = scheduler.step(noise, timesteps[k], in).prevSample();
                worstNoise = Math.max(worstNoise, Math.max(
                        abs(st, "unet_noise_pred_uncond", seen.get("unet_noise_pred_uncond")),
                        abs(st, "unet_noise_pred_text", seen.get("unet_noise_pred_text"))));
                worstStep = Math.max(worstStep, Math.max(
                        rel(st, "guided_noise_pred_bfchw", seen.get("guided_noise_pred"), STEP_REL),
                        rel(st, "latents_out_bfchw", bfchw(out), STEP_REL)));
            }
            System.out.printf("pipeline %s, steps from golden inputs: noise preds max abs %.2e, guided noise and "
                    + "latents max rel %.2e%n", name, worstNoise, worstStep);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim_3_steps", "dpmpp2m_3_steps"})
    void freeRunAndDecodeMatch(String name) {
        JsonNode run = golden.get("runs").get(name);
        ZeroScopePipeline p = name.startsWith("ddim") ? ddim : dpm;
        try (NDManager m = runtime.newRequestManager()) {
            Map<String, float[]> seen = new HashMap<>();
            NDArray context = p.encodePrompts(m, prompt, null, true);
            NDArray latents = Golden.tensor(golden.get("initial_latents")).toNDArray(m);
            int[] steps = new int[1];
            NDArray out = p.denoise(latents, context, p.newScheduler(m), 3, guidance, (s, n) -> steps[0] = s,
                    new Cancellation(), collect(seen));
            assertThat(steps[0]).isEqualTo(3);
            double worst = 0;
            for (int k = 0; k < 3; k++) {
                JsonNode st = run.get("steps").get(k);
                worst = Math.max(worst, rel(st, "latents_in", seen.get("step." + k + ".latents_in"), RUN_REL));
            }
            double finalLatents = Golden.maxRelDiff(Golden.tensor(run.get("final_latents")).data(), out.toFloatArray());
            assertThat(finalLatents).isLessThan(RUN_REL);

            NDArray video = p.decode(out);
            double videoDiff = Golden.maxAbsDiff(Golden.tensor(run.get("video_pt")).data(), video.toFloatArray());
            float[] float01 = Golden.tensor(run.get("frames_float01_fhwc")).data();
            double float01Diff = Golden.maxAbsDiff(float01,
                    video.mul(0.5f).add(0.5f).clip(0f, 1f).squeeze(0).transpose(1, 2, 3, 0).toFloatArray());
            Frames frames = ZeroScopePipeline.toFrames(video, 8);
            float[] bytes = Golden.tensor(run.get("frames_uint8_fhwc")).data();
            int offByOne = 0;
            for (int f = 0; f < frames.count(); f++) {
                byte[] rgb = frames.rgb().get(f);
                for (int i = 0; i < rgb.length; i++) {
                    int idx = f * rgb.length + i;
                    int got = rgb[i] & 0xFF;
                    if (got != (int) bytes[idx]) {
                        double scaled = float01[idx] * 255.0;
                        assertThat(Math.abs(got - (int) bytes[idx])).as("byte " + idx).isEqualTo(1);
                        assertThat(Math.abs(scaled - Math.rint(scaled))).as("byte " + idx + " near a boundary")
                                .isLessThan(255 * ABS);
                        offByOne++;
                    }
                }
            }
            System.out.printf("pipeline %s, free run: latents max rel %.2e (final %.2e), video max abs %.2e, "
                    + "frames01 max abs %.2e, uint8 off by one at a boundary: %d of %d%n", name, worst, finalLatents,
                    videoDiff, float01Diff, offByOne, bytes.length);
            assertThat(videoDiff).isLessThan(ABS);
            assertThat(float01Diff).isLessThan(ABS);
            assertThat(frames.width()).isEqualTo(16);
            assertThat(frames.height()).isEqualTo(16);
            assertThat(frames.count()).isEqualTo(2);
        }
    }

    private static Probe collect(Map<String, float[]> seen) {
        return (key, a) -> seen.put(key, key.endsWith("guided_noise_pred") || key.endsWith("latents_out")
                ? bfchw(a) : a.toFloatArray());
    }

    /** (1, C, F, h, w) as the (B*F, C, h, w) view the golden stores scheduler tensors in. */
    private static float[] bfchw(NDArray a) {
        return a.transpose(0, 2, 1, 3, 4).toFloatArray();
    }

    private static double abs(JsonNode step, String key, float[] got) {
        assertThat(got).as(key + " reported").isNotNull();
        double d = Golden.maxAbsDiff(Golden.tensor(step.get(key)).data(), got);
        assertThat(d).as(key + " at step " + step.get("index")).isLessThan(ABS);
        return d;
    }

    private static double rel(JsonNode step, String key, float[] got, double tolerance) {
        assertThat(got).as(key + " reported").isNotNull();
        double d = Golden.maxRelDiff(Golden.tensor(step.get(key)).data(), got);
        assertThat(d).as(key + " at step " + step.get("index")).isLessThan(tolerance);
        return d;
    }
}
