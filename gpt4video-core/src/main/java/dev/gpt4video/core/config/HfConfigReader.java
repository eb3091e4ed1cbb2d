package dev.gpt4video.core.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads Hugging Face {@code config.json} files into records. Keys are snake_case in the file and
 * camelCase in the record; unknown keys are ignored and missing ones arrive as null, so a record
 * fills its defaults (and validates) in its compact constructor.
 *
 * <pre>{@code
 * record VisionConfig(Integer hiddenSize, Double layerNormEps) {
 *     VisionConfig { layerNormEps = layerNormEps == null ? 1e-5 : layerNormEps; }
 * }
 * VisionConfig c = HfConfigReader.read(dir.resolve("config.json"), VisionConfig.class);
 * }</pre>
 */
public final class HfConfigReader {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);

    private HfConfigReader() {
    }

    public static <T> T read(Path file, Class<T> type) {
        try {
            return JSON.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw failure(file, e);
        }
    }

    /** Reads a sub-object such as {@code vision_config} of a composite config. */
    public static <T> T read(Path file, String field, Class<T> type) {
        try {
            JsonNode node = JSON.readTree(file.toFile()).get(field);
            return JSON.treeToValue(node == null ? JSON.createObjectNode() : node, type);
        } catch (IOException e) {
            throw failure(file, e);
        }
    }

    /** Converts an already parsed tree (for configs embedded in manifests). */
    public static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return JSON.treeToValue(node, type);
        } catch (IOException e) {
            throw failure(null, e);
        }
    }

    private static Gpt4VideoException failure(Path file, IOException e) {
        if (e.getCause() instanceof Gpt4VideoException g) {
            return new Gpt4VideoException(g.code(), (file == null ? "" : file + ": ") + g.getMessage(), g);
        }
        String where = file == null ? "config" : file.toString();
        String detail = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                ? "field '" + m.getPath().get(m.getPath().size() - 1).getFieldName() + "': " + getOriginalMessageSafe(m)
                : e.getMessage();
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, where + ": " + detail, e);
    }

    private static String getOriginalMessageSafe(MismatchedInputException e) {
        return e.getOriginalMessage();
    }
}
