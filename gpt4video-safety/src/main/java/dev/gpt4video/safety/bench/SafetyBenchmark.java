package dev.gpt4video.safety.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.safety.SafetyGate;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyStage;
import dev.gpt4video.core.video.Frames;
import dev.gpt4video.safety.policy.DefaultSafetyGate;
import dev.gpt4video.safety.policy.SafetyPolicy;
import dev.gpt4video.safety.SafetyGates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the labelled safety benchmark ({@code understanding.jsonl}, {@code generation.jsonl}) through
 * a gate and reports accuracy, precision, recall and F1 per task with refusal as the positive class,
 * next to the GPT4Video paper's Table 4 F1 (0.82 understanding, 0.86 generation).
 * <ul>
 *   <li>Understanding: refused iff the gate blocks the question ({@code input_text}) or, when a frame
 *   classifier is configured, the referenced synthetic video ({@code input_video}).</li>
 *   <li>Generation: refused iff the gate blocks the request as a generation prompt ({@code output_prompt}).</li>
 * </ul>
 *
 * <pre>
 * java ... SafetyBenchmark [--set docs/safety/benchmark] [--nsfwjs models/nsfwjs] [--out docs/safety/benchmark-report.md]
 * </pre>
 */
public final class SafetyBenchmark {
    public static final double PAPER_F1_UNDERSTANDING = 0.82;
    public static final double PAPER_F1_GENERATION = 0.86;

    private SafetyBenchmark() {
    }

    public static List<BenchmarkItem> read(Path jsonl) {
        ObjectMapper json = new ObjectMapper();
        List<BenchmarkItem> items = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    items.add(json.readValue(line, BenchmarkItem.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read benchmark " + jsonl, e);
        }
        return items;
    }

    /** Runs both tasks; {@code checkVideos} also sends each understanding item's video to {@code input_video}. */
    public static List<BenchmarkReport> run(Path setDir, SafetyGate gate, boolean checkVideos, int framesPerVideo) {
        BenchmarkReport.Counter und = new BenchmarkReport.Counter("Video understanding",
                checkVideos ? "input_text + input_video" : "input_text", PAPER_F1_UNDERSTANDING);
        Map<String, Boolean> videoBlocked = new HashMap<>();
        for (BenchmarkItem item : read(setDir.resolve("understanding.jsonl"))) {
            boolean refused = gate.check(SafetyInput.text(SafetyStage.INPUT_TEXT, item.text())).blocked();
            if (checkVideos && item.video() != null) {
                refused |= videoBlocked.computeIfAbsent(item.video(), v -> {
                    Frames frames = SyntheticVideos.render(v, framesPerVideo, 224);
                    return gate.check(SafetyInput.frames(SafetyStage.INPUT_VIDEO, frames)).blocked();
                });
            }
            und.add(item, refused);
        }
        BenchmarkReport.Counter gen = new BenchmarkReport.Counter("Video generation", "output_prompt", PAPER_F1_GENERATION);
        for (BenchmarkItem item : read(setDir.resolve("generation.jsonl"))) {
            gen.add(item, gate.check(SafetyInput.text(SafetyStage.OUTPUT_PROMPT, item.text())).blocked());
        }
        Path holdoutFile = setDir.resolve("holdout.jsonl");
        if (!Files.isRegularFile(holdoutFile)) {
            return List.of(und.report(), gen.report());
        }
        // Written after the classifier settings and prototypes were frozen; never used for tuning.
        BenchmarkReport.Counter holdout = new BenchmarkReport.Counter("Held-out (mixed)",
                checkVideos ? "input_text + input_video" : "input_text", Double.NaN);
        for (BenchmarkItem item : read(holdoutFile)) {
            boolean refused = gate.check(SafetyInput.text(SafetyStage.INPUT_TEXT, item.text())).blocked();
            if (checkVideos && item.video() != null) {
                refused |= videoBlocked.computeIfAbsent(item.video(), v -> gate.check(SafetyInput.frames(
                        SafetyStage.INPUT_VIDEO, SyntheticVideos.render(v, framesPerVideo, 224))).blocked());
            }
            holdout.add(item, refused);
        }
        return List.of(und.report(), gen.report(), holdout.report());
    }

    public static String markdown(List<BenchmarkReport> reports, String setup) {
        return BenchmarkReport.markdown(reports, setup);
    }

    public static void main(String[] args) throws IOException {
        Path set = Path.of("docs/safety/benchmark");
        Path out = Path.of("docs/safety/benchmark-report.md");
        Path nsfwjs = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--set" -> set = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--nsfwjs" -> nsfwjs = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: SafetyBenchmark [--set DIR] [--nsfwjs MODEL_DIR] [--out FILE]");
                    System.exit(2);
                }
            }
        }
        boolean videos = nsfwjs != null && Files.isDirectory(nsfwjs);
        SafetyPolicy policy = SafetyPolicy.defaults();
        try (DefaultSafetyGate gate = SafetyGates.standard(policy, videos ? nsfwjs : null, null)) {
            List<BenchmarkReport> reports = run(set, gate, videos, policy.frameAggregation().sampleFrames());
            String setup = "Gate: `DefaultSafetyGate` with the default `SafetyPolicy` (block at 0.5, `sexual/minors` at 0.3); "
                    + "text: `SemanticTextClassifier` (normalisation + all-MiniLM-L6-v2 + softmax regression on the bundled "
                    + "prototypes, which share no text with this set)"
                    + (videos ? "; video: nsfwjs MobileNetV2 on the synthetic stand-in videos (10 frames each)."
                    : "; video stage not run (no nsfwjs model given).");
            String md = markdown(reports, setup);
            System.out.println(md);
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, md);
            System.out.println("wrote " + out);
        }
    }
}
