package dev.gpt4video.llm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.testing.Fixtures;
import dev.gpt4video.llm.llama.LlamaModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The stories260k fixture: the model directory and its run.c goldens. */
public final class Stories260k {
    /** One golden prompt. */
    public record Golden(String prompt, int[] promptIds, int[] generatedIds, float[] firstStepLogits) {
    }

    private Stories260k() {
    }

    /** The fixture directory, or a skipped test naming the missing path. */
    public static Path dir() {
        return Fixtures.require("stories260k");
    }

    public static List<Golden> goldens() {
        ObjectMapper json = new ObjectMapper();
        try {
            List<Golden> out = new ArrayList<>();
            for (JsonNode g : json.readTree(dir().resolve("golden.json").toFile())) {
                out.add(new Golden(g.get("prompt").asText(),
                        json.convertValue(g.get("prompt_ids"), int[].class),
                        json.convertValue(g.get("generated_ids"), int[].class),
                        json.convertValue(g.get("first_step_logits"), float[].class)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads the model in float32 under {@code root}. */
    public static LlamaModel load(NDManager root) {
        return LlamaModel.load(dir(), root, DataType.FLOAT32, LlamaModel.LoadOptions.defaults());
    }
}
