package dev.gpt4video.llm.generate;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SamplersTest {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    private static BitSet seen(int... ids) {
        BitSet b = new BitSet();
        for (int id : ids) {
            b.set(id);
        }
        return b;
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
        float[] logits = {2f, -2f, 1f, 4f};
        LogitsProcessor.repetitionPenalty(2f).process(logits, seen(0, 1, 1));
        assertThat(logits).containsExactly(1f, -4f, 1f, 4f);
    }

    @Test
    void temperatureDividesEveryLogit() {
        float[] logits = {1f, -3f};
        LogitsProcessor.temperature(0.5f).process(logits, seen());
        assertThat(logits).containsExactly(2f, -6f);
    }

    @Test
    void topKKeepsExactlyKWithTiesTowardLowerIds() {
        float[] logits = {1f, 3f, 3f, 2f, 3f};
        LogitsProcessor.topK(2).process(logits, seen());
        assertThat(logits).containsExactly(NEG_INF, 3f, 3f, NEG_INF, NEG_INF);
    }

    @Test
    void topPKeepsTheSmallestSetReachingTheMass() {
        // probabilities 0.5, 0.25, 0.125, 0.125
        float[] logits = {(float) Math.log(4), (float) Math.log(2), 0f, 0f};
        float[] a = logits.clone();
        LogitsProcessor.topP(0.7).process(a, seen());
        assertThat(a).containsExactly(logits[0], logits[1], NEG_INF, NEG_INF);
        float[] b = logits.clone();
        LogitsProcessor.topP(0.5).process(b, seen());
        assertThat(b).containsExactly(logits[0], NEG_INF, NEG_INF, NEG_INF);
        float[] c = logits.clone();
        LogitsProcessor.topP(0.01).process(c, seen());
        assertThat(c).as("at least one token survives").containsExactly(logits[0], NEG_INF, NEG_INF, NEG_INF);
    }

    @Test
    void processorsComposeInOrder() {
        float[] logits = {4f, 2f, -1f};
        LogitsProcessor.repetitionPenalty(2f).andThen(LogitsProcessor.temperature(2f)).andThen(LogitsProcessor.topK(1))
                .process(logits, seen(0));
        assertThat(logits).containsExactly(1f, NEG_INF, NEG_INF);
    }

    @Test
    void greedyTakesTheLowestIdOfTheMaximum() {
        assertThat(TokenSampler.greedy().sample(new float[] {1f, 5f, 5f}, new SplittableRandom(1))).isEqualTo(1);
    }

    @Test
    void categoricalFollowsTheSoftmaxAndRepeatsForASeed() {
        float[] logits = {(float) Math.log(3), 0f, NEG_INF};
        int[] counts = new int[3];
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 20000; i++) {
            counts[TokenSampler.categorical().sample(logits, random)]++;
        }
        assertThat(counts[2]).isZero();
        assertThat(counts[0] / 20000.0).isCloseTo(0.75, within(0.02));
        SplittableRandom x = new SplittableRandom(9);
        SplittableRandom y = new SplittableRandom(9);
        for (int i = 0; i < 50; i++) {
            assertThat(TokenSampler.categorical().sample(logits, x)).isEqualTo(TokenSampler.categorical().sample(logits, y));
        }
    }

    @Test
    void stopStringsHoldBackPossiblePrefixesAndCutBeforeTheMatch() {
        StopStrings stops = new StopStrings(List.of("o w", "xyz"));
        assertThat(stops.push("Hel")).isEqualTo(new StopStrings.Released("Hel", false));
        assertThat(stops.push("lo")).isEqualTo(new StopStrings.Released("l", false));
        assertThat(stops.push(" wor")).isEqualTo(new StopStrings.Released("", true));
    }

    @Test
    void stopStringsReleaseHeldTextWhenItIsNotAMatch() {
        StopStrings stops = new StopStrings(List.of("\nHuman:"));
        assertThat(stops.push("Fine.\nHu").text()).isEqualTo("Fine.");
        assertThat(stops.push("go")).isEqualTo(new StopStrings.Released("\nHugo", false));
        assertThat(stops.push("\n").text()).isEmpty();
        assertThat(stops.flush()).isEqualTo("\n");
    }
}
