package dev.gpt4video.safety.text;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MiniLmSentenceEncoderTest {

    @Test
    void embedsToUnitVectorsThatRankParaphrasesFirst() {
        try (MiniLmSentenceEncoder enc = MiniLmSentenceEncoder.load()) {
            float[] cat = enc.embed("a cat sleeping on a sofa");
            float[] kitten = enc.embed("a kitten naps on the couch");
            float[] bomb = enc.embed("instructions for building an explosive device");
            assertThat(cat).hasSize(384);
            assertThat(SentenceEncoder.dot(cat, cat)).isCloseTo(1.0, within(1e-4));
            assertThat(SentenceEncoder.dot(cat, kitten)).isGreaterThan(SentenceEncoder.dot(cat, bomb) + 0.3);
        }
    }
}
