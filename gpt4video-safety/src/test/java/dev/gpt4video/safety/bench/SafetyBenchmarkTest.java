package dev.gpt4video.safety.bench;

import dev.gpt4video.core.testing.Fixtures;
import dev.gpt4video.safety.SafetyGates;
import dev.gpt4video.safety.policy.DefaultSafetyGate;
import dev.gpt4video.safety.policy.SafetyPolicy;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the committed benchmark end to end and prints its figures; asserts only that every item was counted. */
class SafetyBenchmarkTest {

    @Test
    void runsOnTheCommittedSet() {
        Path set = Path.of("..", "docs", "safety", "benchmark");
        Path nsfwjs = Fixtures.root().resolve("../models/nsfwjs-mobilenet-v2").normalize();
        boolean videos = Files.isDirectory(nsfwjs);
        SafetyPolicy policy = SafetyPolicy.defaults();
        try (DefaultSafetyGate gate = SafetyGates.standard(policy, videos ? nsfwjs : null, null)) {
            // 4 frames per synthetic video keep the test short; the CLI uses the policy's 10.
            List<BenchmarkReport> reports = SafetyBenchmark.run(set, gate, videos, 4);
            System.out.println(SafetyBenchmark.markdown(reports, "test run, videos " + (videos ? "on" : "off")));
            List<BenchmarkItem> und = SafetyBenchmark.read(set.resolve("understanding.jsonl"));
            List<BenchmarkItem> gen = SafetyBenchmark.read(set.resolve("generation.jsonl"));
            assertThat(reports.get(0).total()).isEqualTo(und.size()).isGreaterThanOrEqualTo(100);
            assertThat(reports.get(1).total()).isEqualTo(gen.size()).isGreaterThanOrEqualTo(100);
            assertThat(reports.get(0).harmful()).isEqualTo((int) und.stream().filter(BenchmarkItem::harmful).count());
            assertThat(reports.get(1).harmful()).isEqualTo((int) gen.stream().filter(BenchmarkItem::harmful).count());
            assertThat(reports).hasSize(3);
            assertThat(reports.get(2).total()).isEqualTo(SafetyBenchmark.read(set.resolve("holdout.jsonl")).size());
        }
    }
}
