package dev.gpt4video.llm.generate;

import dev.gpt4video.core.Gpt4VideoException;

/**
 * Receives a request's tokens as they are generated, then exactly one of {@link #onComplete} or
 * {@link #onError}. Calls for one request come in order from one thread at a time; under
 * {@link BatchScheduler} that is the scheduler's loop thread, so a listener must return quickly
 * (hand slow work such as network writes to another thread). A listener that throws fails its
 * own request only.
 *
 * <p>Beam search ({@code beamWidth > 1}) streams nothing while it runs: no beam is final before the
 * search ends, so all of the winner's {@link #onToken} calls come at the end, in order, right
 * before {@link #onComplete}.
 */
public interface TokenListener {
    TokenListener NONE = new TokenListener() {
    };

    default void onToken(GeneratedToken token) {
    }

    default void onComplete(GenerationResult result) {
    }

    default void onError(Gpt4VideoException error) {
    }
}
