package dev.gpt4video.safety.text;

/** One semantic classifier per test JVM: embedding the prototypes takes seconds. */
public final class SharedTextClassifier {
    private static SemanticTextClassifier instance;

    private SharedTextClassifier() {
    }

    public static synchronized SemanticTextClassifier get() {
        if (instance == null) {
            instance = SemanticTextClassifier.create(MiniLmSentenceEncoder.load(), TextPrototypes.bundled());
        }
        return instance;
    }
}
