package dev.gpt4video.safety.text;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.safety.SafetyClassifier;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyScores;
import dev.gpt4video.core.safety.SafetyStage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Semantic text classifier for the text stages: normalises obfuscation ({@link TextNormalizer}),
 * embeds each reading with a {@link SentenceEncoder} (all-MiniLM-L6-v2 by default), and scores it
 * with a softmax regression trained at start-up on {@link TextPrototypes} (harm categories plus a
 * benign class full of benign uses of sensitive words). A category's score is its probability,
 * maximised over the normalised readings and over the sentences of a longer text.
 *
 * <pre>{@code
 * var text = SemanticTextClassifier.create(MiniLmSentenceEncoder.load(), TextPrototypes.bundled());
 * SafetyScores s = text.classify(SafetyInput.text(SafetyStage.INPUT_TEXT, "how do I kill a python process"));
 * }</pre>
 */
public final class SemanticTextClassifier implements SafetyClassifier {
    /** Training settings; the defaults were chosen by cross-validation on the prototypes only. */
    public record Options(double l2, int epochs, double learningRate, int maxSentences, double knnWeight,
                          int knnK, double knnTemperature) {
        public static Options defaults() {
            return new Options(1e-4, 150, 4.0, 16, 0.5, 5, 0.05);
        }
    }

    /** Category for the total harmful probability, 1 - P(benign), of the worst reading. */
    public static final String ANY_HARM = "harmful";

    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?;])\\s+|\\n+");

    private final SentenceEncoder encoder;
    private final List<String> labels;
    private final SoftmaxRegression model;
    private final Options options;

    private final float[][] examples;
    private final int[] exampleLabels;

    private SemanticTextClassifier(SentenceEncoder encoder, List<String> labels, SoftmaxRegression model,
                                   Options options, float[][] examples, int[] exampleLabels) {
        this.examples = examples;
        this.exampleLabels = exampleLabels;
        this.encoder = encoder;
        this.labels = labels;
        this.model = model;
        this.options = options;
    }

    public static SemanticTextClassifier create(SentenceEncoder encoder, TextPrototypes prototypes) {
        return create(encoder, prototypes, Options.defaults());
    }

    public static SemanticTextClassifier create(SentenceEncoder encoder, TextPrototypes prototypes, Options options) {
        List<String> labels = new ArrayList<>(prototypes.categoryNames());
        labels.add(TextPrototypes.BENIGN);
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (int c = 0; c < labels.size(); c++) {
            List<String> examples = c < labels.size() - 1
                    ? prototypes.categories().get(labels.get(c)) : prototypes.benign();
            for (String e : examples) {
                xs.add(encoder.embed(TextNormalizer.normalize(e)));
                ys.add(c);
            }
        }
        float[][] x = xs.toArray(float[][]::new);
        int[] y = ys.stream().mapToInt(Integer::intValue).toArray();
        SoftmaxRegression model = SoftmaxRegression.train(x, y, labels.size(), options.l2(), options.epochs(),
                options.learningRate());
        return new SemanticTextClassifier(encoder, List.copyOf(labels), model, options, x, y);
    }

    @Override
    public String name() {
        return "semantic-text";
    }

    @Override
    public boolean supports(SafetyStage stage) {
        return stage == SafetyStage.INPUT_TEXT || stage == SafetyStage.OUTPUT_PROMPT;
    }

    /** Harm categories this classifier scores (without {@code benign}). */
    public List<String> categories() {
        return labels.subList(0, labels.size() - 1);
    }

    @Override
    public SafetyScores classify(SafetyInput input) {
        if (input.text() == null) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, name() + ": no text to check");
        }
        double[] best = new double[labels.size() - 1];
        double benignOfWorst = 1;
        int pieces = 0;
        for (String piece : pieces(input.text())) {
            for (String variant : TextNormalizer.variants(piece)) {
                if (variant.isBlank()) {
                    continue;
                }
                double[] p = probabilities(encoder.embed(variant));
                pieces++;
                for (int c = 0; c < best.length; c++) {
                    best[c] = Math.max(best[c], p[c]);
                }
                benignOfWorst = Math.min(benignOfWorst, p[p.length - 1]);
            }
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        for (int c = 0; c < best.length; c++) {
            scores.put(labels.get(c), best[c]);
        }
        // Probability mass split across neighbouring categories (violence vs weapons) still counts.
        scores.put(ANY_HARM, 1 - benignOfWorst);
        return new SafetyScores(name(), scores, Map.of("benign_min", benignOfWorst, "readings", pieces,
                "encoder", encoder.name()));
    }

    private double[] probabilities(float[] e) {
        double[] p = model.probabilities(e);
        double a = options.knnWeight();
        if (a <= 0) {
            return p;
        }
        // Nearest examples vote with weights exp(sim / T): sharp near a known benign use of a word.
        int k = Math.min(options.knnK(), examples.length);
        double[] sims = new double[examples.length];
        Integer[] order = new Integer[examples.length];
        for (int i = 0; i < examples.length; i++) {
            sims[i] = SentenceEncoder.dot(e, examples[i]);
            order[i] = i;
        }
        java.util.Arrays.sort(order, (i, j) -> Double.compare(sims[j], sims[i]));
        double[] vote = new double[p.length];
        double total = 0;
        for (int r = 0; r < k; r++) {
            double w = Math.exp((sims[order[r]] - sims[order[0]]) / options.knnTemperature());
            vote[exampleLabels[order[r]]] += w;
            total += w;
        }
        for (int c = 0; c < p.length; c++) {
            p[c] = (1 - a) * p[c] + a * vote[c] / total;
        }
        return p;
    }

    /** The whole text, plus its sentences when there are several (a harmful line in a long message). */
    private List<String> pieces(String text) {
        Set<String> out = new LinkedHashSet<>();
        out.add(text);
        String[] sentences = SENTENCE_END.split(text.strip());
        if (sentences.length > 1) {
            for (int i = 0; i < sentences.length && out.size() <= options.maxSentences(); i++) {
                if (sentences[i].strip().split("\\s+").length >= 3) {
                    out.add(sentences[i].strip());
                }
            }
        }
        return List.copyOf(out);
    }

    @Override
    public void close() {
        encoder.close();
    }
}
