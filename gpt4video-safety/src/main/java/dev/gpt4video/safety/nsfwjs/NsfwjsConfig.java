package dev.gpt4video.safety.nsfwjs;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The nsfwjs MobileNetV2 settings the converter writes next to the weights ({@code config.json}).
 * Defaults are nsfwjs 4.4.0's: classes in model output order, 224x224 input, Keras BN epsilon 0.001.
 *
 * @param classes          output class names in index order
 * @param inputSize        square input side the network expects
 * @param batchNormEpsilon epsilon of every BatchNormalization layer
 * @param source           where the weights came from, for the audit trail
 */
public record NsfwjsConfig(@JsonProperty("classes") List<String> classes,
                           @JsonProperty("input_size") int inputSize,
                           @JsonProperty("batchnorm_epsilon") double batchNormEpsilon,
                           @JsonProperty("source") String source) {
    public static final List<String> NSFWJS_CLASSES = List.of("Drawing", "Hentai", "Neutral", "Porn", "Sexy");

    public NsfwjsConfig {
        if (classes == null || classes.size() != 5) {
            throw invalid("classes", "must list the 5 output classes, got " + classes);
        }
        classes = List.copyOf(classes);
        if (inputSize < 32) {
            throw invalid("input_size", "must be >= 32, got " + inputSize);
        }
        if (!(batchNormEpsilon > 0 && batchNormEpsilon < 1)) {
            throw invalid("batchnorm_epsilon", "must be in (0,1), got " + batchNormEpsilon);
        }
        source = source == null ? "unknown" : source;
    }

    public static NsfwjsConfig defaults() {
        return new NsfwjsConfig(NSFWJS_CLASSES, 224, 0.001, "nsfwjs@4.4.0 dist/models/mobilenet_v2");
    }

    /** Reads {@code config.json}, or returns the defaults when the directory has none. */
    public static NsfwjsConfig readOrDefault(Path dir) {
        Path file = dir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            return defaults();
        }
        try {
            return new ObjectMapper().readValue(file.toFile(), NsfwjsConfig.class);
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), this);
    }

    public int indexOf(String className) {
        return classes.indexOf(className);
    }

    private static Gpt4VideoException invalid(String field, String message) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "nsfwjs config " + field + ": " + message);
    }
}
