package dev.gpt4video.t2v.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.config.HfConfigReader;
import dev.gpt4video.t2v.nn.Weights;
import dev.gpt4video.t2v.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CLIPTextModel vs t2v-tiny/golden/text_encoder_golden.json (transformers 4.33 on CPU, float32):
 * embeddings, both layer outputs and last_hidden_state for 4 rows (pad 0, empty prompt, pad 49407,
 * truncated), plus the quick_gelu variant; absolute tolerance 1e-4 (README: float32 noise <= 2.4e-6).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClipTextModelParityTest {
    private static final double TOLERANCE = 1e-4;
    private NDManager manager;
    private JsonNode golden;
    private int[][] ids;

    @BeforeAll
    void load() {
        golden = Golden.read("text_encoder_golden.json");
        manager = NDManager.newBaseManager();
        Golden.Tensor idTensor = Golden.tensor(golden.get("input_ids"));
        int rows = (int) idTensor.shape()[0];
        int len = (int) idTensor.shape()[1];
        ids = new int[rows][len];
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < len; t++) {
                ids[r][t] = (int) idTensor.data()[r * len + t];
            }
        }
    }

    @AfterAll
    void close() {
        manager.close();
    }

    @Test
    void hiddenStatesMatch() {
        Path dir = Golden.dir().resolve("text_encoder");
        ClipTextModel model = ClipTextModel.load(dir, manager, DataType.FLOAT32);
        Map<String, float[]> seen = new HashMap<>();
        NDArray out = model.encode(manager, ids, (name, a) -> seen.put(name, a.toFloatArray()));

        double embed = Golden.maxAbsDiff(Golden.tensor(golden.get("embeddings")).data(), seen.get("embeddings"));
        float[] layers = Golden.tensor(golden.get("encoder_layer_outputs")).data();
        int per = layers.length / 2;
        double layer0 = Golden.maxAbsDiff(java.util.Arrays.copyOfRange(layers, 0, per), seen.get("encoder.layers.0"));
        double layer1 = Golden.maxAbsDiff(java.util.Arrays.copyOfRange(layers, per, 2 * per), seen.get("encoder.layers.1"));
        double last = Golden.maxAbsDiff(Golden.tensor(golden.get("last_hidden_state")).data(), out.toFloatArray());
        System.out.printf("text_encoder max abs: embeddings %.2e, layer0 %.2e, layer1 %.2e, last_hidden_state %.2e%n",
                embed, layer0, layer1, last);
        assertThat(embed).isLessThan(TOLERANCE);
        assertThat(layer0).isLessThan(TOLERANCE);
        assertThat(layer1).isLessThan(TOLERANCE);
        assertThat(last).isLessThan(TOLERANCE);
    }

    @Test
    void quickGeluVariantMatches() {
        Path dir = Golden.dir().resolve("text_encoder");
        ClipTextConfig c = HfConfigReader.read(dir.resolve("config.json"), ClipTextConfig.class);
        ClipTextConfig quick = new ClipTextConfig(c.vocabSize(), c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(),
                c.numAttentionHeads(), c.maxPositionEmbeddings(), "quick_gelu", c.layerNormEps());
        try (Checkpoint ckpt = Checkpoint.open(dir); NDManager m = manager.newSubManager()) {
            WeightLoader loader = new WeightLoader(ckpt, m, DataType.FLOAT32, WeightLoader.Mode.STRICT);
            ClipTextModel model = ClipTextModel.load(Weights.from(loader.scope("text_model.")), quick);
            loader.finish();
            double diff = Golden.maxAbsDiff(Golden.tensor(golden.get("last_hidden_state_quick_gelu")).data(),
                    model.encode(m, ids).toFloatArray());
            System.out.printf("text_encoder quick_gelu max abs: %.2e%n", diff);
            assertThat(diff).isLessThan(TOLERANCE);
        }
    }

    @Test
    void tokenizerReproducesTheGoldenIds() {
        ClipTokenizer tok = ClipTokenizer.load(Golden.dir().resolve("tokenizer"));
        JsonNode seqs = golden.get("sequences");
        for (int r = 0; r < seqs.size(); r++) {
            if (seqs.get(r).get("name").asText().contains("pad0") || seqs.get(r).get("name").asText().contains("empty")) {
                assertThat(tok.encode(seqs.get(r).get("text").asText())).as(seqs.get(r).get("name").asText()).isEqualTo(ids[r]);
            }
        }
    }
}
