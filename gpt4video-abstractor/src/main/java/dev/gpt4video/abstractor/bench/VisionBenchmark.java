package dev.gpt4video.abstractor.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.abstractor.AbstractorMode;
import dev.gpt4video.abstractor.RandomCheckpoint;
import dev.gpt4video.abstractor.VisualPipeline;
import dev.gpt4video.abstractor.clip.ClipVisionConfig;
import dev.gpt4video.abstractor.clip.ClipVisionModel;
import dev.gpt4video.abstractor.clip.ClipVisionWeights;
import dev.gpt4video.abstractor.mplugowl.MplugOwlAbstractorConfig;
import dev.gpt4video.abstractor.mplugowl.MplugOwlConfig;
import dev.gpt4video.abstractor.mplugowl.MplugOwlVisionConfig;
import dev.gpt4video.abstractor.mplugowl.MplugOwlWeights;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Throughput of the vision stack at real size with random weights, CPU float32 (the device DJL
 * picks by default): (1) a CLIP ViT-L/14 tower (24 layers, 1024 wide, 16 heads, 224 px, patch 14)
 * on a batch of frames, in frames/s; (2) the whole mPLUG-Owl video pipeline (the same ViT with
 * temporal modules + the 6-layer abstractor, 64 queries, 4096 out) on T = 4 videos, in videos/s.
 * Prints figures; asserts nothing. Weights are written as F16 to a temporary folder and widened on load.
 *
 * <p>Usage: {@code VisionBenchmark [iterations=3] [framesPerBatch=4] [videosPerBatch=1] [clip|mplug|all]}
 */
public final class VisionBenchmark {
    private VisionBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int videos = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        String which = args.length > 3 ? args[3] : "all";
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf("vision benchmark: DJL %s %s, %d CPU cores visible, %d timed iterations after 1 warm-up%n",
                engine.getEngineName(), engine.getVersion(), Runtime.getRuntime().availableProcessors(), iterations);
        Path dir = Files.createTempDirectory("vision-bench");
        try {
            if (!which.equals("mplug")) {
                clip(dir.resolve("clip"), iterations, frames);
            }
            if (!which.equals("clip")) {
                mplug(dir.resolve("mplug"), iterations, videos);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void clip(Path dir, int iterations, int frames) {
        ClipVisionConfig config = new ClipVisionConfig(1024, 4096, 768, 24, 16, 3, 224, 14, "quick_gelu", 1e-5,
                List.of("CLIPVisionModelWithProjection"));
        long t0 = System.nanoTime();
        write(dir, ClipVisionWeights.shapes(config), Map.of("model_type", "clip_vision_model",
                "architectures", config.architectures(), "hidden_size", 1024, "intermediate_size", 4096,
                "num_hidden_layers", 24, "num_attention_heads", 16, "image_size", 224, "patch_size", 14,
                "projection_dim", 768, "layer_norm_eps", 1e-5));
        try (NDManager manager = NDManager.newBaseManager()) {
            long t1 = System.nanoTime();
            ClipVisionModel model = ClipVisionModel.load(dir, manager, DataType.FLOAT32);
            long t2 = System.nanoTime();
            System.out.printf("CLIP ViT-L/14 tower: %.0f M parameters; random checkpoint written in %.1f s, loaded in %.1f s%n",
                    parameters(ClipVisionWeights.shapes(config)) / 1e6, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            double[] seconds = time(manager, new Shape(frames, 3, 224, 224), iterations,
                    x -> model.forward(x, false).lastHiddenState());
            report("CLIP ViT-L/14 tower", "frames", frames, seconds);
        }
    }

    private static void mplug(Path dir, int iterations, int videos) {
        MplugOwlConfig config = new MplugOwlConfig(
                new MplugOwlVisionConfig(1024, 4096, 24, 16, 3, 224, 14, "quick_gelu", 1e-6),
                new MplugOwlAbstractorConfig(1024, 6, 16, 4096, 1024, 1e-6),
                new MplugOwlConfig.TextConfig(4096), 64);
        long t0 = System.nanoTime();
        write(dir, MplugOwlWeights.shapes(config), config.toJson());
        try (NDManager manager = NDManager.newBaseManager()) {
            long t1 = System.nanoTime();
            VisualPipeline pipeline = VisualPipeline.load(dir, AbstractorMode.MPLUG_OWL_VIDEO, manager.newSubManager(),
                    DataType.FLOAT32);
            long t2 = System.nanoTime();
            System.out.printf("mPLUG-Owl video pipeline (ViT-L/14 + temporal modules + 6-layer abstractor): %.0f M parameters;"
                            + " random checkpoint written in %.1f s, loaded in %.1f s%n",
                    parameters(MplugOwlWeights.shapes(config)) / 1e6, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            double[] seconds = time(manager, new Shape(videos, 3, 4, 224, 224), iterations, pipeline::encode);
            report("mPLUG-Owl video pipeline, T=4 → [" + videos + ", 65, 4096]", "videos", videos, seconds);
            pipeline.close();
        }
    }

    private static void write(Path dir, Map<String, long[]> shapes, Map<String, ?> config) {
        RandomCheckpoint.put(new SafetensorsWriter(), shapes, DType.F16, new Random(1)).write(dir.resolve("model.safetensors"));
        RandomCheckpoint.writeConfig(dir.resolve("config.json"), config);
    }

    private static double[] time(NDManager manager, Shape input, int iterations, Function<NDArray, NDArray> run) {
        double[] seconds = new double[iterations];
        for (int i = -1; i < iterations; i++) {
            try (NDManager request = manager.newSubManager()) {
                NDArray x = request.randomNormal(input);
                long t = System.nanoTime();
                run.apply(x).toFloatArray(); // reading back waits for the result
                if (i >= 0) {
                    seconds[i] = (System.nanoTime() - t) / 1e9;
                }
            }
        }
        return seconds;
    }

    private static void report(String what, String unit, int perBatch, double[] seconds) {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        System.out.printf("%s: batch of %d %s, %s s per batch (median %.2f s) → %.2f %s/s%n", what, perBatch, unit,
                Arrays.toString(Arrays.stream(seconds).map(s -> Math.round(s * 100) / 100.0).toArray()), median,
                perBatch / median, unit);
    }

    private static long parameters(Map<String, long[]> shapes) {
        return shapes.values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
    }
}
