package dev.gpt4video.safety.text;

import dev.gpt4video.core.safety.SafetyClassifier;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyScores;
import dev.gpt4video.core.safety.SafetyStage;

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

    /** The shared classifier behind a view whose close() does nothing, for gates that close their classifiers. */
    public static SafetyClassifier unclosable() {
        SemanticTextClassifier text = get();
        return new SafetyClassifier() {
            public String name() {
                return text.name();
            }

            public boolean supports(SafetyStage stage) {
                return text.supports(stage);
            }

            public SafetyScores classify(SafetyInput input) {
                return text.classify(input);
            }
        };
    }
}
