package dev.gpt4video.safety.policy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalDetectorTest {
    private final RefusalDetector detector = new RefusalDetector();

    @ParameterizedTest
    @ValueSource(strings = {"I'm sorry, but I can't assist with that request.", "I’m sorry, but I cannot help with this.",
            "Sorry, I can't create that video.", "I cannot provide instructions for making weapons.",
            "As an AI language model, I cannot generate that content.", "I must decline this request.",
            "I am unable to help with that.", "This request violates my guidelines, so here is something else."})
    void recognisesRefusals(String reply) {
        assertThat(detector.isRefusal(reply)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Sure! Here is a video of a red ball <video>a red ball bouncing</video>",
            "The video shows a cat. I can't tell which breed it is from this angle, but it looks like a tabby.",
            "I'm sorry to hear that your day was rough. Here's a calming video of waves.", "",
            "Once upon a time a robot said many things, and later in the story, far into the text, a character"
                    + " who had been walking for a long while through the forest and along the river said: I'm sorry,"
                    + " but I can't come with you to the castle tonight."})
    void ignoresOrdinaryReplies(String reply) {
        assertThat(detector.isRefusal(reply)).isFalse();
    }
}
