package dev.gpt4video.core.safety;

/** Scores text or frames for harm categories. Implementations say which stages they can judge. */
public interface SafetyClassifier extends AutoCloseable {
    String name();

    boolean supports(SafetyStage stage);

    SafetyScores classify(SafetyInput input);

    @Override
    default void close() {
    }
}
