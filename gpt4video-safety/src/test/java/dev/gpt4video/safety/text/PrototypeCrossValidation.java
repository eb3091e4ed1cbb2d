package dev.gpt4video.safety.text;

import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyStage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tuning aid, not a check: k-fold cross-validation of the semantic classifier on the bundled
 * prototypes only (never on the benchmark). Run with {@code -Dsafety.cv=true}.
 */
class PrototypeCrossValidation {

    @Test
    void crossValidate() {
        Assumptions.assumeTrue(Boolean.getBoolean("safety.cv"), "tuning aid; run with -Dsafety.cv=true");
        TextPrototypes all = TextPrototypes.bundled();
        int folds = 5;
        // {l2, epochs, learning rate, kNN weight}; the second row is SemanticTextClassifier.Options.defaults().
        double[][] grid = {{1e-4, 150, 4.0, 0}, {1e-4, 150, 4.0, 0.5}, {1e-4, 150, 4.0, 0.3}, {1e-3, 150, 4.0, 0.5}};
        double[] thresholds = {0.3, 0.4, 0.5, 0.6};
        try (MiniLmSentenceEncoder enc = MiniLmSentenceEncoder.load()) {
            SentenceEncoder cached = cache(enc);
            for (double[] g : grid) {
                int[] tp = new int[4], fp = new int[4], fn = new int[4];
                for (int f = 0; f < folds; f++) {
                    Map<String, List<String>> trainCats = new LinkedHashMap<>();
                    List<String[]> test = new ArrayList<>();
                    for (var e : all.categories().entrySet()) {
                        List<String> tr = new ArrayList<>();
                        for (int i = 0; i < e.getValue().size(); i++) {
                            if (i % folds == f) {
                                test.add(new String[] {e.getValue().get(i), "h"});
                            } else {
                                tr.add(e.getValue().get(i));
                            }
                        }
                        trainCats.put(e.getKey(), tr);
                    }
                    List<String> trainBenign = new ArrayList<>();
                    for (int i = 0; i < all.benign().size(); i++) {
                        if (i % folds == f) {
                            test.add(new String[] {all.benign().get(i), "b"});
                        } else {
                            trainBenign.add(all.benign().get(i));
                        }
                    }
                    SemanticTextClassifier c = SemanticTextClassifier.create(cached, new TextPrototypes(trainCats, trainBenign),
                            new SemanticTextClassifier.Options(g[0], (int) g[1], g[2], 16, g[3], 5, 0.05));
                    for (String[] t : test) {
                        var s = c.classify(SafetyInput.text(SafetyStage.INPUT_TEXT, t[0])).categoryScores();
                        for (int ti = 0; ti < 4; ti++) {
                            double th = thresholds[ti];
                            boolean flagged = s.values().stream().anyMatch(v -> v >= th);
                            if (t[1].equals("h")) {
                                if (flagged) tp[ti]++; else fn[ti]++;
                            } else if (flagged) fp[ti]++;
                        }
                    }
                }
                for (int ti = 0; ti < 4; ti++) {
                    double p = tp[ti] / (double) (tp[ti] + fp[ti]), r = tp[ti] / (double) (tp[ti] + fn[ti]);
                    System.out.printf("l2=%g knn=%.1f t=%.1f: P=%.3f R=%.3f F1=%.3f (tp %d fp %d fn %d)%n", g[0], g[3],
                            thresholds[ti], p, r, 2 * p * r / (p + r), tp[ti], fp[ti], fn[ti]);
                }
            }
        }
    }

    static SentenceEncoder cache(SentenceEncoder enc) {
        Map<String, float[]> memo = new java.util.HashMap<>();
        return new SentenceEncoder() {
            public String name() {
                return enc.name();
            }

            public float[] embed(String text) {
                return memo.computeIfAbsent(text, enc::embed);
            }
        };
    }
}
