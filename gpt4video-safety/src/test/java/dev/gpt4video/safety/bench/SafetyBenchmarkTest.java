package dev.gpt4video.safety.bench;

import dev.gpt4video.safety.policy.DefaultSafetyGate;
import dev.gpt4video.safety.text.SharedTextClassifier;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the committed benchmark through the text stages and prints its figures; asserts only that
 * every item was counted. (The video stage on the synthetic clips runs in scripts/safety-benchmark.sh.)
 */
class SafetyBenchmarkTest {

    @Test
    void runsOnTheCommittedSet() {
        Path set = Path.of("..", "docs", "safety", "benchmark");
        DefaultSafetyGate gate = DefaultSafetyGate.builder().classifier(SharedTextClassifier.unclosable()).build();
        List<BenchmarkReport> reports = SafetyBenchmark.run(set, gate, false, 0);
        System.out.println(SafetyBenchmark.markdown(reports, "test run, text stages only"));
        List<BenchmarkItem> und = SafetyBenchmark.read(set.resolve("understanding.jsonl"));
        List<BenchmarkItem> gen = SafetyBenchmark.read(set.resolve("generation.jsonl"));
        assertThat(reports).hasSize(3);
        assertThat(reports.get(0).total()).isEqualTo(und.size()).isGreaterThanOrEqualTo(100);
        assertThat(reports.get(1).total()).isEqualTo(gen.size()).isGreaterThanOrEqualTo(100);
        assertThat(reports.get(0).harmful()).isEqualTo((int) und.stream().filter(BenchmarkItem::harmful).count());
        assertThat(reports.get(1).harmful()).isEqualTo((int) gen.stream().filter(BenchmarkItem::harmful).count());
        assertThat(reports.get(2).total()).isEqualTo(SafetyBenchmark.read(set.resolve("holdout.jsonl")).size());
    }
}
