package dev.gpt4video.safety.text;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Few-shot examples for {@link SemanticTextClassifier}: per harm category, short requests that
 * belong to it, and benign texts, including benign uses of sensitive words ("kill the lights").
 * The bundled set is {@code prototypes.json} next to this class; operators may supply their own.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TextPrototypes(@JsonProperty("categories") Map<String, List<String>> categories,
                             @JsonProperty("benign") List<String> benign) {
    public static final String BENIGN = "benign";

    public TextPrototypes {
        if (categories == null || categories.isEmpty()) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "prototypes categories: none given");
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        categories.forEach((k, v) -> {
            if (v == null || v.isEmpty()) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "prototypes categories." + k + ": no examples");
            }
            if (k.equals(BENIGN)) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "prototypes categories: 'benign' is reserved");
            }
            copy.put(k, List.copyOf(v));
        });
        categories = java.util.Collections.unmodifiableMap(copy);
        if (benign == null || benign.isEmpty()) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "prototypes benign: no examples");
        }
        benign = List.copyOf(benign);
    }

    /** The set bundled with the module. */
    public static TextPrototypes bundled() {
        try (InputStream in = TextPrototypes.class.getResourceAsStream("prototypes.json")) {
            return new ObjectMapper().readValue(in, TextPrototypes.class);
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "bundled prototypes.json: " + e.getMessage(), e);
        }
    }

    public static TextPrototypes read(Path file) {
        try {
            return new ObjectMapper().readValue(file.toFile(), TextPrototypes.class);
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, file + ": " + e.getMessage(), e);
        }
    }

    public List<String> categoryNames() {
        return List.copyOf(categories.keySet());
    }
}
