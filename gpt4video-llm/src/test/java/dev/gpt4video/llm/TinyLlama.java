package dev.gpt4video.llm;

import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.llm.llama.LlamaConfig;
import dev.gpt4video.llm.llama.LlamaWeights;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** A tiny random LLaMA written in HF layout for block-level tests. */
public final class TinyLlama {
    private TinyLlama() {
    }

    /**
     * hidden 16, 4 query heads over 2 key/value heads of 4 dims, 2 layers, vocab 40, untied head,
     * linear RoPE scaling 2.
     */
    public static LlamaConfig config() {
        return new LlamaConfig(40, 16, 24, 2, 4, 2, 4, 64, 1e-5, 10000.0,
                new LlamaConfig.RopeScaling("linear", 2.0), false, 1, List.of(2), null);
    }

    /** Writes config.json and model.safetensors (norm weights randomised too) into {@code dir}. */
    public static Path write(Path dir, LlamaConfig config, long seed) {
        try {
            Files.createDirectories(dir);
            new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), config.toHuggingFace());
            SafetensorsWriter writer = LlamaWeights.random(config, new Random(seed), 0.5f);
            writer.write(dir.resolve("model.safetensors"));
            // Norm weights of 1 would hide a missing multiply: rewrite them random around 1.
            Map<String, float[]> all = read(dir);
            SafetensorsWriter noisy = new SafetensorsWriter();
            Random r = new Random(seed + 1);
            for (var e : all.entrySet()) {
                float[] v = e.getValue();
                long[] shape;
                try (Checkpoint ck = Checkpoint.open(dir.resolve("model.safetensors"))) {
                    shape = ck.info(e.getKey()).shape();
                }
                if (shape.length == 1) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = 0.5f + r.nextFloat();
                    }
                }
                noisy.putFloats(e.getKey(), shape, v);
            }
            noisy.write(dir.resolve("model.safetensors"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every tensor of {@code dir/model.safetensors} as floats. */
    public static Map<String, float[]> read(Path dir) {
        Map<String, float[]> out = new TreeMap<>();
        try (Checkpoint ck = Checkpoint.open(dir)) {
            for (String n : ck.names()) {
                out.put(n, ck.floats(n));
            }
        }
        return out;
    }
}
