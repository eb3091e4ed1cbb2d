package dev.gpt4video.safety.sdchecker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CLIP vision tower's shape (HF {@code CLIPVisionConfig}) plus the projection width, read from
 * a {@code config.json} that is either a {@code CLIPConfig} (settings under {@code vision_config},
 * as the safety checker ships) or a bare vision config. Defaults are ViT-L/14 at 224.
 */
public record ClipVisionSettings(int hiddenSize, int intermediateSize, int layers, int heads, int patchSize,
                                 int imageSize, double layerNormEps, int projectionDim) {
    public ClipVisionSettings {
        check(hiddenSize > 0, "hidden_size", hiddenSize);
        check(intermediateSize > 0, "intermediate_size", intermediateSize);
        check(layers > 0, "num_hidden_layers", layers);
        check(heads > 0 && hiddenSize % heads == 0, "num_attention_heads (must divide hidden_size)", heads);
        check(patchSize > 0 && imageSize % patchSize == 0, "patch_size (must divide image_size)", patchSize);
        check(layerNormEps > 0 && layerNormEps < 1, "layer_norm_eps", layerNormEps);
        check(projectionDim > 0, "projection_dim", projectionDim);
    }

    public static ClipVisionSettings vitLarge14() {
        return new ClipVisionSettings(1024, 4096, 24, 16, 14, 224, 1e-5, 768);
    }

    public int tokens() {
        int g = imageSize / patchSize;
        return g * g + 1;
    }

    public static ClipVisionSettings read(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(configJson));
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, configJson + ": " + e.getMessage(), e);
        }
        JsonNode v = root.has("vision_config") ? root.get("vision_config") : root;
        ClipVisionSettings d = vitLarge14();
        String act = v.path("hidden_act").asText("quick_gelu");
        if (!act.equals("quick_gelu")) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, configJson + ": hidden_act " + act
                    + " is not supported (quick_gelu only)");
        }
        return new ClipVisionSettings(v.path("hidden_size").asInt(d.hiddenSize), v.path("intermediate_size")
                .asInt(d.intermediateSize), v.path("num_hidden_layers").asInt(d.layers),
                v.path("num_attention_heads").asInt(d.heads), v.path("patch_size").asInt(d.patchSize),
                v.path("image_size").asInt(d.imageSize), v.path("layer_norm_eps").asDouble(d.layerNormEps),
                root.path("projection_dim").asInt(v.path("projection_dim").asInt(d.projectionDim)));
    }

    private static void check(boolean ok, String field, Object value) {
        if (!ok) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "CLIP vision config " + field + ": invalid value " + value);
        }
    }
}
