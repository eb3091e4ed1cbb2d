package dev.gpt4video.abstractor.paper;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.abstractor.AbstractorMode;
import dev.gpt4video.abstractor.RandomCheckpoint;
import dev.gpt4video.abstractor.VisualPipeline;
import dev.gpt4video.abstractor.testing.CheckpointCopies;
import dev.gpt4video.abstractor.testing.Golden;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.CheckpointException;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static dev.gpt4video.abstractor.testing.Reference.add;
import static dev.gpt4video.abstractor.testing.Reference.attention;
import static dev.gpt4video.abstractor.testing.Reference.flatten;
import static dev.gpt4video.abstractor.testing.Reference.layerNorm;
import static dev.gpt4video.abstractor.testing.Reference.linear;
import static dev.gpt4video.abstractor.testing.Reference.map;
import static dev.gpt4video.abstractor.testing.Reference.matrix;
import static dev.gpt4video.abstractor.testing.Reference.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Paper mode (eqs. 1–3) against a float64 plain-loop computation of the same equations. */
class PaperAbstractorTest {
    private static final double TOLERANCE = 1e-4;
    private static final String P = PaperAbstractorWeights.PREFIX;

    /** Tiny sizes: D 16, 2 heads, 2 layers per stack, MLP 32, 3 queries, output 12. */
    private static final PaperAbstractorConfig TINY = new PaperAbstractorConfig(16, 2, 2, 32, 3, 12, null, null);

    private static Path writeTiny(Path dir, PaperAbstractorConfig c) {
        SafetensorsWriter out = RandomCheckpoint.put(new SafetensorsWriter(), PaperAbstractorWeights.shapes(c), DType.F32,
                new Random(7));
        out.write(dir.resolve("model.safetensors"));
        return dir;
    }

    private static PaperAbstractor load(Checkpoint ckpt, NDManager manager, PaperAbstractorConfig c) {
        WeightLoader w = new WeightLoader(ckpt, manager, DataType.FLOAT32, WeightLoader.Mode.STRICT);
        PaperAbstractor a = PaperAbstractor.load(w, c);
        w.finish();
        return a;
    }

    @Test
    void matchesPlainLoopEquations(@TempDir Path tmp) {
        Path dir = writeTiny(tmp, TINY);
        int b = 2, t = 3, n = 5, d = 16;
        float[] features = new float[b * t * n * d];
        Random rnd = new Random(11);
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) rnd.nextGaussian();
        }
        try (NDManager manager = NDManager.newBaseManager(); Checkpoint ckpt = Checkpoint.open(dir)) {
            PaperAbstractor abstractor = load(ckpt, manager, TINY);
            assertThat(abstractor.tokens()).isEqualTo(3);
            assertThat(abstractor.outputSize()).isEqualTo(12);
            NDArray out = abstractor.apply(manager.create(features, new Shape(b, t, n, d)));
            assertThat(out.getShape().getShape()).containsExactly(b, 3, 12);
            float[] actual = out.toFloatArray();
            for (int i = 0; i < b; i++) {
                double[][] f = matrix(features, i * t * n, t * n, d);
                float[] expected = flatten(expected(ckpt, TINY, f));
                double max = 0;
                for (int k = 0; k < expected.length; k++) {
                    max = Math.max(max, Math.abs(expected[k] - actual[i * expected.length + k]));
                }
                assertThat(max).as("batch row %d max abs diff", i).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    @Test
    void everyTensorIsRequiredAndNoOtherAccepted(@TempDir Path tmp) {
        Path dir = writeTiny(tmp.resolve("full"), TINY);
        for (String name : CheckpointCopies.names(dir)) {
            Path copy = tmp.resolve("without");
            SafetensorsWriter out = new SafetensorsWriter();
            try (Checkpoint ckpt = Checkpoint.open(dir)) {
                ckpt.names().stream().filter(x -> !x.equals(name)).forEach(x ->
                        out.putBytes(x, ckpt.info(x).dtype(), ckpt.info(x).shape(), ckpt.bytes(x)));
            }
            out.write(copy.resolve("model.safetensors"));
            try (NDManager manager = NDManager.newBaseManager(); Checkpoint ckpt = Checkpoint.open(copy)) {
                assertThatThrownBy(() -> load(ckpt, manager, TINY)).isInstanceOfSatisfying(CheckpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_TENSOR_MISSING);
                    assertThat(e.tensor()).isEqualTo(name);
                });
            }
        }
    }

    /**
     * Paper mode behind the mPLUG-Owl tower of the fixture: the pipeline's output equals the plain-loop
     * equations applied to the golden {@code last_hidden_state}; the mPLUG abstractor's tensors are
     * another mode's and are not required to be used.
     */
    @Test
    void pipelineRunsPaperModeOnTheMplugOwlTower(@TempDir Path tmp) throws Exception {
        Path fixture = Fixtures.require("mplug-owl-video-tiny");
        PaperAbstractorConfig c = new PaperAbstractorConfig(64, 2, 4, 128, 4, 48, "gelu", 1e-5);
        Map<String, long[]> shapes = PaperAbstractorWeights.shapes(c);
        Path dir = CheckpointCopies.copy(fixture, tmp.resolve("paper"), n -> true,
                w -> RandomCheckpoint.put(w, shapes, DType.F32, new Random(3)));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        config.set("paper_abstractor_config", json.valueToTree(Map.of("hidden_size", 64, "num_hidden_layers", 2,
                "num_attention_heads", 4, "intermediate_size", 128, "num_query_tokens", 4, "output_size", 48)));
        Files.writeString(dir.resolve("config.json"), config.toString());

        JsonNode video = Golden.read(fixture.resolve("golden.json")).get("cases").get("video_t4");
        try (NDManager manager = NDManager.newBaseManager();
             VisualPipeline pipeline = VisualPipeline.load(dir, AbstractorMode.PAPER, manager.newSubManager(), DataType.FLOAT32);
             Checkpoint ckpt = Checkpoint.open(dir)) {
            assertThat(pipeline.tokensPerVideo()).isEqualTo(4);
            assertThat(pipeline.hiddenSize()).isEqualTo(48);
            NDArray out = pipeline.encode(Golden.array(manager, video.get("pixel_values")));
            assertThat(out.getShape().getShape()).containsExactly(1, 4, 48);
            float[] features = Golden.flat(video.get("vision").get("last_hidden_state"));
            float[] expected = flatten(expected(ckpt, c, matrix(features, 0, 4 * 5, 64)));
            float[] actual = out.toFloatArray();
            double max = 0;
            for (int k = 0; k < expected.length; k++) {
                max = Math.max(max, Math.abs(expected[k] - actual[k]));
            }
            assertThat(max).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    /** Eqs. 1–3 for one video: {@code f} is F_v, all frame tokens frame-major, {@code [T·N, D]}. */
    private static double[][] expected(Checkpoint ckpt, PaperAbstractorConfig c, double[][] f) {
        double[][] fs = crossAttention(ckpt, c, "spatial.layers.", matrix(ckpt.floats(P + "spatial_query_tokens"), 0,
                c.numQueryTokens(), c.hiddenSize()), f);
        double[][] ft = crossAttention(ckpt, c, "temporal.layers.", matrix(ckpt.floats(P + "temporal_query_tokens"), 0,
                c.numQueryTokens(), c.hiddenSize()), f);
        double[][] fused = layerNorm(add(fs, ft), ckpt.floats(P + "norm.weight"), ckpt.floats(P + "norm.bias"), c.layerNormEps());
        return linear(fused, ckpt.floats(P + "projection.weight"), ckpt.floats(P + "projection.bias"));
    }

    /** CA(Q, [F_v; Q]): pre-norm cross-attention blocks with an MLP, as documented in docs/abstractor.md. */
    private static double[][] crossAttention(Checkpoint ckpt, PaperAbstractorConfig c, String stack, double[][] x,
                                             double[][] f) {
        double eps = c.layerNormEps();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String l = P + stack + i + ".";
            double[][] xn = layerNorm(x, ckpt.floats(l + "norm_query.weight"), ckpt.floats(l + "norm_query.bias"), eps);
            double[][] fn = layerNorm(f, ckpt.floats(l + "norm_context.weight"), ckpt.floats(l + "norm_context.bias"), eps);
            double[][] kv = rows(fn, xn);
            double[][] q = linear(xn, ckpt.floats(l + "attention.query.weight"), ckpt.floats(l + "attention.query.bias"));
            double[][] k = linear(kv, ckpt.floats(l + "attention.key.weight"), ckpt.floats(l + "attention.key.bias"));
            double[][] v = linear(kv, ckpt.floats(l + "attention.value.weight"), ckpt.floats(l + "attention.value.bias"));
            double[][] ctx = attention(q, k, v, c.numAttentionHeads());
            x = add(x, linear(ctx, ckpt.floats(l + "attention.out.weight"), ckpt.floats(l + "attention.out.bias")));
            double[][] h = layerNorm(x, ckpt.floats(l + "norm_mlp.weight"), ckpt.floats(l + "norm_mlp.bias"), eps);
            h = map(linear(h, ckpt.floats(l + "mlp.fc1.weight"), ckpt.floats(l + "mlp.fc1.bias")),
                    dev.gpt4video.abstractor.testing.Reference::gelu);
            x = add(x, linear(h, ckpt.floats(l + "mlp.fc2.weight"), ckpt.floats(l + "mlp.fc2.bias")));
        }
        return x;
    }
}
