package dev.gpt4video.safety.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.safety.SafetyClassifier;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyScores;
import dev.gpt4video.core.safety.SafetyStage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An operator-provided sequence classifier: {@code model.onnx} (inputs {@code input_ids}
 * [+ {@code attention_mask}, {@code token_type_ids}], first output logits {@code [1, labels]}),
 * a Hugging Face {@code tokenizer.json}, and the label list (given, or {@code id2label} from an HF
 * {@code config.json}). Logits become probabilities with softmax (one label per text) or sigmoid
 * (multi-label); each label maps to a harm category (identity unless mapped) and benign labels
 * ({@code safe}, {@code neutral}...) are dropped. Texts are normalised first and the highest score
 * over the readings is kept, as in {@link SemanticTextClassifier}.
 *
 * <pre>{@code
 * var c = OnnxTextClassifier.load(new OnnxTextClassifier.Config(Path.of("models/toxicity"), null,
 *         OnnxTextClassifier.Activation.SIGMOID, Map.of("toxic", "harassment"), Set.of("non-toxic"), 256));
 * }</pre>
 */
public final class OnnxTextClassifier implements SafetyClassifier {
    public enum Activation { SOFTMAX, SIGMOID }

    /**
     * @param dir           holds {@code model.onnx}, {@code tokenizer.json} and optionally {@code config.json}
     * @param labels        output labels in logit order; null reads {@code id2label} from {@code config.json}
     * @param categoryMap   label -> harm category (labels not listed keep their own name)
     * @param benignLabels  labels that mean "fine" and are not reported
     * @param maxTokens     truncation length
     */
    public record Config(Path dir, List<String> labels, Activation activation, Map<String, String> categoryMap,
                         Set<String> benignLabels, int maxTokens) {
        public Config {
            if (dir == null) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "onnx text classifier dir: missing");
            }
            activation = activation == null ? Activation.SOFTMAX : activation;
            categoryMap = categoryMap == null ? Map.of() : Map.copyOf(categoryMap);
            benignLabels = benignLabels == null ? Set.of("safe", "benign", "neutral", "ok", "non-toxic", "LABEL_0")
                    : Set.copyOf(benignLabels);
            if (maxTokens < 8) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "onnx text classifier max_tokens: must be >= 8");
            }
        }
    }

    private final Config config;
    private final List<String> labels;
    private final OnnxTextEncoder encoder;

    private OnnxTextClassifier(Config config, List<String> labels, OnnxTextEncoder encoder) {
        this.config = config;
        this.labels = labels;
        this.encoder = encoder;
    }

    public static OnnxTextClassifier load(Config config) {
        List<String> labels = config.labels() != null ? List.copyOf(config.labels()) : id2label(config.dir());
        Path model = config.dir().resolve("model.onnx");
        Path tokenizer = config.dir().resolve("tokenizer.json");
        for (Path p : List.of(model, tokenizer)) {
            if (!Files.isRegularFile(p)) {
                throw new Gpt4VideoException(ErrorCode.CHECKPOINT_INVALID, "onnx text classifier: missing " + p);
            }
        }
        try (InputStream tok = Files.newInputStream(tokenizer)) {
            return new OnnxTextClassifier(config, labels,
                    new OnnxTextEncoder(Files.readAllBytes(model), tok, config.maxTokens()));
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CHECKPOINT_INVALID, "onnx text classifier: " + e.getMessage(), e);
        }
    }

    private static List<String> id2label(Path dir) {
        Path cfg = dir.resolve("config.json");
        try {
            JsonNode map = new ObjectMapper().readTree(cfg.toFile()).path("id2label");
            if (!map.isObject() || map.isEmpty()) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, cfg + ": no id2label and no labels configured");
            }
            String[] out = new String[map.size()];
            map.fields().forEachRemaining(e -> {
                int i = Integer.parseInt(e.getKey());
                if (i < 0 || i >= out.length) {
                    throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, cfg + ": id2label index " + i + " out of range");
                }
                out[i] = e.getValue().asText();
            });
            return List.of(out);
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, cfg + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "onnx-text:" + config.dir().getFileName();
    }

    @Override
    public boolean supports(SafetyStage stage) {
        return stage == SafetyStage.INPUT_TEXT || stage == SafetyStage.OUTPUT_PROMPT;
    }

    public List<String> labels() {
        return labels;
    }

    /** Probabilities per label (logit order) for one text, without normalisation. */
    public double[] probabilities(String text) {
        OnnxTextEncoder.Output out = encoder.run(text);
        float[] logits = out.values();
        if (logits.length != labels.size()) {
            throw new Gpt4VideoException(ErrorCode.INTERNAL, name() + ": model gives " + logits.length
                    + " logits (shape " + java.util.Arrays.toString(out.shape()) + ") for " + labels.size() + " labels");
        }
        double[] p = new double[logits.length];
        if (config.activation() == Activation.SIGMOID) {
            for (int i = 0; i < p.length; i++) {
                p[i] = 1 / (1 + Math.exp(-logits[i]));
            }
            return p;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Override
    public SafetyScores classify(SafetyInput input) {
        if (input.text() == null) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, name() + ": no text to check");
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        List<double[]> all = new ArrayList<>();
        for (String variant : TextNormalizer.variants(input.text())) {
            double[] p = probabilities(variant);
            all.add(p);
            for (int i = 0; i < p.length; i++) {
                String label = labels.get(i);
                if (config.benignLabels().contains(label)) {
                    continue;
                }
                scores.merge(config.categoryMap().getOrDefault(label, label), p[i], Math::max);
            }
        }
        return new SafetyScores(name(), scores, Map.of("labels", labels, "readings", all.size()));
    }

    @Override
    public void close() {
        encoder.close();
    }
}
