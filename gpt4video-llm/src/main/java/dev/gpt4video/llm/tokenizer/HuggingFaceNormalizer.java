package dev.gpt4video.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import java.util.ArrayList;
import java.util.List;

/**
 * The text side of a Llama-style {@code tokenizer.json}: the {@code normalizer} section
 * ({@code Prepend}, plain-string {@code Replace}, {@code Sequence}) and a {@code Metaspace}
 * {@code pre_tokenizer}. Other kinds are rejected, since ignoring them would tokenize differently.
 */
final class HuggingFaceNormalizer {
    static final String SPACE_SYMBOL = "\u2581";

    /** One step over a stretch of text between added tokens; {@code first} when it starts the text. */
    private interface Step {
        String apply(String text, boolean first);
    }

    private final List<Step> steps;
    private final boolean splitsOnSpace;
    private final boolean prependsSpace;

    private HuggingFaceNormalizer(List<Step> steps, boolean splitsOnSpace, boolean prependsSpace) {
        this.steps = List.copyOf(steps);
        this.splitsOnSpace = splitsOnSpace;
        this.prependsSpace = prependsSpace;
    }

    static HuggingFaceNormalizer read(JsonNode normalizer, JsonNode preTokenizer) {
        List<Step> steps = new ArrayList<>();
        boolean prepends = readNormalizer(normalizer, steps);
        if (isAbsent(preTokenizer)) {
            return new HuggingFaceNormalizer(steps, false, prepends);
        }
        String type = preTokenizer.path("type").asText();
        if (!type.equals("Metaspace")) {
            throw invalid("pre_tokenizer " + type + " is not supported; only Metaspace is");
        }
        if (!preTokenizer.path("replacement").asText(SPACE_SYMBOL).equals(SPACE_SYMBOL)) {
            throw invalid("Metaspace replacement must be U+2581");
        }
        // Older files say add_prefix_space, newer ones prepend_scheme.
        String scheme = preTokenizer.has("prepend_scheme")
                ? preTokenizer.path("prepend_scheme").asText()
                : preTokenizer.path("add_prefix_space").asBoolean(true) ? "always" : "never";
        if (!List.of("always", "first", "never").contains(scheme)) {
            throw invalid("unknown Metaspace prepend_scheme " + scheme);
        }
        steps.add((text, first) -> {
            String replaced = text.replace(" ", SPACE_SYMBOL);
            boolean prepend = scheme.equals("always") || (scheme.equals("first") && first);
            // Unlike the Prepend normalizer, Metaspace adds no second U+2581 to text starting with one.
            return prepend && !replaced.isEmpty() && !replaced.startsWith(SPACE_SYMBOL) ? SPACE_SYMBOL + replaced : replaced;
        });
        return new HuggingFaceNormalizer(steps, preTokenizer.path("split").asBoolean(true),
                prepends || !scheme.equals("never"));
    }

    String apply(String text, boolean first) {
        String normalized = text;
        for (Step step : steps) {
            normalized = step.apply(normalized, first);
        }
        return normalized;
    }

    /** Whether Metaspace splits words before each U+2581, so no merge crosses a word start. */
    boolean splitsOnSpace() {
        return splitsOnSpace;
    }

    /** Whether a U+2581 is put before the text, which decoding then removes again. */
    boolean prependsSpace() {
        return prependsSpace;
    }

    /** Adds the supported normalizers to {@code into}; returns whether they prepend U+2581. */
    private static boolean readNormalizer(JsonNode normalizer, List<Step> into) {
        if (isAbsent(normalizer)) {
            return false;
        }
        String type = normalizer.path("type").asText();
        switch (type) {
            case "Sequence" -> {
                boolean prepends = false;
                for (JsonNode child : normalizer.path("normalizers")) {
                    prepends |= readNormalizer(child, into);
                }
                return prepends;
            }
            case "Prepend" -> {
                String prefix = normalizer.path("prepend").asText();
                if (!prefix.equals(SPACE_SYMBOL)) {
                    throw invalid("Prepend normalizer must prepend U+2581, not '" + prefix + "'");
                }
                into.add((text, first) -> text.isEmpty() ? text : prefix + text);
                return true;
            }
            case "Replace" -> {
                JsonNode pattern = normalizer.path("pattern");
                if (!pattern.has("String")) {
                    throw invalid("only plain-string Replace normalizers are supported");
                }
                String from = pattern.path("String").asText();
                String to = normalizer.path("content").asText();
                if (from.isEmpty()) {
                    throw invalid("Replace normalizer with an empty pattern");
                }
                into.add((text, first) -> text.replace(from, to));
                return false;
            }
            default -> throw invalid("normalizer " + type + " is not supported");
        }
    }

    private static boolean isAbsent(JsonNode node) {
        return node.isNull() || node.isMissingNode();
    }

    private static Gpt4VideoException invalid(String message) {
        return new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, message);
    }
}
