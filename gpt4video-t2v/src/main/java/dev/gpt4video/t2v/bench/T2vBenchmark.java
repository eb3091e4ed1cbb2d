package dev.gpt4video.t2v.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.runtime.RuntimeOptions;
import dev.gpt4video.t2v.nn.Probe;
import dev.gpt4video.t2v.nn.RandomWeights;
import dev.gpt4video.t2v.scheduler.DpmSolverMultistepScheduler;
import dev.gpt4video.t2v.scheduler.Scheduler;
import dev.gpt4video.t2v.scheduler.SchedulerConfig;
import dev.gpt4video.t2v.zeroscope.UNet3DConditionModel;
import dev.gpt4video.t2v.zeroscope.UNet3DConfig;
import dev.gpt4video.t2v.zeroscope.ZeroScopeOptions;
import dev.gpt4video.t2v.zeroscope.ZeroScopePipeline;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Seconds per denoising step (one guided UNet evaluation on batch 2 plus the scheduler step) and
 * peak memory, on the runtime's default device. Prints figures; asserts nothing.
 *
 * <ul>
 *   <li>{@code tiny <pipelineDir> [frames] [latentH] [latentW] [steps]}: a whole pipeline folder
 *   (the t2v-tiny fixture or a demo bundle's), timing the denoising loop and the decode.</li>
 *   <li>{@code zeroscope [frames] [latentH] [latentW] [steps]}: a UNet with ZeroScope's real config
 *   (channels 320/640/1280/1280, 2 layers per down block and 3 per up block, cross-attention 1024,
 *   head dim 64) and random weights generated on the device, 77-token random contexts.</li>
 * </ul>
 * Peak memory is the process's resident high-water mark ({@code VmHWM}) and the JVM heap's peak.
 */
public final class T2vBenchmark {
    private T2vBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        String mode = args.length > 0 ? args[0] : "zeroscope";
        try (InferenceRuntime runtime = InferenceRuntime.create(RuntimeOptions.defaults())) {
            System.out.printf(Locale.ROOT, "device %s, dtype %s, %d cores%n", runtime.device(), runtime.dataType(),
                    Runtime.getRuntime().availableProcessors());
            if (mode.equals("tiny")) {
                tiny(runtime, Path.of(args[1]), intArg(args, 2, 2), intArg(args, 3, 8), intArg(args, 4, 8), intArg(args, 5, 5));
            } else {
                zeroscope(runtime, intArg(args, 1, 1), intArg(args, 2, 40), intArg(args, 3, 72), intArg(args, 4, 2));
            }
        }
    }

    private static void tiny(InferenceRuntime runtime, Path dir, int frames, int h, int w, int steps) {
        long t0 = System.nanoTime();
        try (ZeroScopePipeline p = ZeroScopePipeline.load(dir, runtime, ZeroScopeOptions.defaults()
                .withDefaults(w * 2, h * 2, frames, steps))) {
            System.out.printf(Locale.ROOT, "tiny pipeline %s loaded in %.2f s%n", dir, seconds(t0));
            int scale = p.vaeScaleFactor();
            for (int round = 0; round < 2; round++) {
                try (NDManager m = runtime.newRequestManager()) {
                    NDArray context = p.encodePrompts(m, "a cat playing piano", "", true);
                    Scheduler s = p.newScheduler(m);
                    NDArray latents = p.initialLatents(m, 1, frames, h, w, s.initNoiseSigma());
                    long start = System.nanoTime();
                    NDArray out = p.denoise(latents, context, s, steps, 9.0, (a, b) -> { }, new Cancellation(), Probe.NONE);
                    double loop = seconds(start);
                    start = System.nanoTime();
                    NDArray video = p.decode(out);
                    ZeroScopePipeline.toFrames(video, 8);
                    double decode = seconds(start);
                    System.out.printf(Locale.ROOT, "%s: %d frames, latents %dx%d (%dx%d px), %d steps: %.4f s per step, "
                                    + "decode %.4f s%n", round == 0 ? "warm-up" : "measured", frames, h, w, h * scale,
                            w * scale, steps, loop / steps, decode);
                }
            }
        }
        printMemory();
    }

    private static void zeroscope(InferenceRuntime runtime, int frames, int h, int w, int steps) {
        UNet3DConfig config = new UNet3DConfig(null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null);
        long t0 = System.nanoTime();
        try (NDManager model = runtime.newModelManager("bench-unet")) {
            RandomWeights weights = RandomWeights.onDevice(model, runtime.dataType(), 1234);
            UNet3DConditionModel unet = UNet3DConditionModel.load(weights, config, 0);
            System.out.printf(Locale.ROOT, "ZeroScope-shaped UNet (%s, layers_per_block %d): %,d parameters, random "
                            + "weights made in %.1f s%n", config.blockOutChannels(), config.layersPerBlock(),
                    weights.parameterCount(), seconds(t0));
            printMemory();
            try (NDManager m = runtime.newRequestManager()) {
                NDArray context = m.randomNormal(new Shape(2, 77, config.crossAttentionDim())).toType(runtime.dataType(), false);
                NDArray latents = m.randomNormal(new Shape(1, 4, frames, h, w));
                Scheduler s = new DpmSolverMultistepScheduler(SchedulerConfig.stableDiffusion(), m);
                int[] timesteps = s.setTimesteps(Math.max(steps + 1, 2));
                double[] measured = new double[timesteps.length - 1];
                for (int k = 0; k < timesteps.length; k++) {
                    long start = System.nanoTime();
                    NDArray next;
                    try (NDManager step = m.newSubManager()) {
                        latents.tempAttach(step);
                        context.tempAttach(step);
                        NDArray noise = unet.forward(latents.concat(latents, 0), timesteps[k], context);
                        NDArray[] halves = noise.split(2, 0).toArray(new NDArray[0]);
                        NDArray guided = halves[0].add(halves[1].sub(halves[0]).mul(9f));
                        next = s.step(guided, timesteps[k], latents).prevSample();
                        next.attach(m);
                        next.toFloatArray(); // wait for the device
                    }
                    latents = next;
                    double secs = seconds(start);
                    System.out.printf(Locale.ROOT, "%s step %d (t=%d): %.2f s%n", k == 0 ? "warm-up" : "measured", k,
                            timesteps[k], secs);
                    if (k > 0) {
                        measured[k - 1] = secs;
                    }
                }
                double[] sorted = measured.clone();
                java.util.Arrays.sort(sorted);
                double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
                System.out.printf(Locale.ROOT, "ZeroScope-shaped UNet, batch 2 (CFG), %d frame(s), latents %dx%d (%dx%d px):"
                                + " seconds per denoising step min %.2f, median %.2f, mean %.2f (%d measured steps)%n",
                        frames, h, w, h * 8, w * 8, sorted[0], median, java.util.Arrays.stream(sorted).average().orElse(0),
                        sorted.length);
            }
        }
        printMemory();
    }

    private static void printMemory() {
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "peak RSS (VmHWM) %.0f MiB, JVM heap peak %.0f MiB (sum of pool peaks)%n",
                vmHwmKiB() / 1024.0, heapPeak / 1048576.0);
    }

    private static long vmHwmKiB() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            for (String line : lines) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static int intArg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
