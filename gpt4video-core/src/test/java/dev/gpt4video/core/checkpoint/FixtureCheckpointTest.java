package dev.gpt4video.core.checkpoint;

import ai.djl.ndarray.NDManager;
import dev.gpt4video.core.config.HfConfigReader;
import dev.gpt4video.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared fixtures load through the reader with the shapes their config.json implies. */
class FixtureCheckpointTest {

    record LlamaShape(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                      Integer numKeyValueHeads, Integer headDim, int vocabSize) {
        LlamaShape {
            numKeyValueHeads = numKeyValueHeads == null ? numAttentionHeads : numKeyValueHeads;
            headDim = headDim == null ? hiddenSize / numAttentionHeads : headDim;
        }
    }

    record ClipShape(int hiddenSize, int intermediateSize, int numHiddenLayers, int numChannels, int imageSize,
                     int patchSize, int projectionDim) {
    }

    @Test
    void stories260kMatchesItsConfig() {
        Path dir = Fixtures.require("stories260k");
        LlamaShape c = HfConfigReader.read(dir.resolve("config.json"), LlamaShape.class);
        long h = c.hiddenSize(), q = (long) c.numAttentionHeads() * c.headDim(), kv = (long) c.numKeyValueHeads() * c.headDim();
        Map<String, long[]> expected = new HashMap<>();
        expected.put("model.embed_tokens.weight", new long[] {c.vocabSize(), h});
        expected.put("model.norm.weight", new long[] {h});
        expected.put("lm_head.weight", new long[] {c.vocabSize(), h});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            expected.put(p + "self_attn.q_proj.weight", new long[] {q, h});
            expected.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
            expected.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
            expected.put(p + "self_attn.o_proj.weight", new long[] {h, q});
            expected.put(p + "mlp.gate_proj.weight", new long[] {c.intermediateSize(), h});
            expected.put(p + "mlp.up_proj.weight", new long[] {c.intermediateSize(), h});
            expected.put(p + "mlp.down_proj.weight", new long[] {h, c.intermediateSize()});
            expected.put(p + "input_layernorm.weight", new long[] {h});
            expected.put(p + "post_attention_layernorm.weight", new long[] {h});
        }
        assertLoadsExactly(dir, expected);
    }

    @Test
    void clipVitTinyMatchesItsConfig() {
        Path dir = Fixtures.require("clip-vit-tiny");
        ClipShape c = HfConfigReader.read(dir.resolve("config.json"), ClipShape.class);
        long h = c.hiddenSize(), m = c.intermediateSize();
        long patches = (long) (c.imageSize() / c.patchSize()) * (c.imageSize() / c.patchSize());
        Map<String, long[]> expected = new HashMap<>();
        String v = "vision_model.";
        expected.put(v + "embeddings.class_embedding", new long[] {h});
        expected.put(v + "embeddings.patch_embedding.weight", new long[] {h, c.numChannels(), c.patchSize(), c.patchSize()});
        expected.put(v + "embeddings.position_embedding.weight", new long[] {patches + 1, h});
        for (String ln : new String[] {"pre_layrnorm", "post_layernorm"}) {
            expected.put(v + ln + ".weight", new long[] {h});
            expected.put(v + ln + ".bias", new long[] {h});
        }
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = v + "encoder.layers." + i + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                expected.put(p + "self_attn." + proj + ".weight", new long[] {h, h});
                expected.put(p + "self_attn." + proj + ".bias", new long[] {h});
            }
            for (String ln : new String[] {"layer_norm1", "layer_norm2"}) {
                expected.put(p + ln + ".weight", new long[] {h});
                expected.put(p + ln + ".bias", new long[] {h});
            }
            expected.put(p + "mlp.fc1.weight", new long[] {m, h});
            expected.put(p + "mlp.fc1.bias", new long[] {m});
            expected.put(p + "mlp.fc2.weight", new long[] {h, m});
            expected.put(p + "mlp.fc2.bias", new long[] {h});
        }
        expected.put("visual_projection.weight", new long[] {c.projectionDim(), h});
        assertLoadsExactly(dir, expected);
    }

    /** Every expected tensor loads with its shape through a strict loader, and nothing is left over. */
    private static void assertLoadsExactly(Path dir, Map<String, long[]> expected) {
        try (Checkpoint ckpt = Checkpoint.open(dir); NDManager m = NDManager.newBaseManager("PyTorch")) {
            WeightLoader loader = new WeightLoader(ckpt, m, ai.djl.ndarray.types.DataType.FLOAT32, WeightLoader.Mode.STRICT);
            expected.forEach((name, shape) -> {
                var a = loader.get(name, shape);
                assertThat(a.getShape().getShape()).as(name).containsExactly(shape);
                assertThat(a.toFloatArray()).as(name).containsExactly(ckpt.floats(name));
            });
            loader.finish();
            assertThat(ckpt.names()).hasSize(expected.size());
        }
    }
}
