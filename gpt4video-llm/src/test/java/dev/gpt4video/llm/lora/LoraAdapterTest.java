package dev.gpt4video.llm.lora;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.llm.Stories260k;
import dev.gpt4video.llm.llama.KvCache;
import dev.gpt4video.llm.llama.LlamaModel;
import dev.gpt4video.llm.llama.Segment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** PEFT adapters built for stories260k in a temp dir: r = 4, q_proj and v_proj. */
class LoraAdapterTest {
    private static final int R = 4;
    private static final double ALPHA = 8;
    private static final int[] PROMPT = {1, 403, 407, 261, 378};
    private static NDManager root;
    private static LlamaModel base;
    private static Map<String, float[]> baseWeights = new LinkedHashMap<>();

    @TempDir
    Path temp;
    private final Random random = new Random(3);

    @BeforeAll
    static void load() {
        root = NDManager.newBaseManager("PyTorch");
        base = Stories260k.load(root);
        try (Checkpoint ck = Checkpoint.open(Stories260k.dir())) {
            for (String n : ck.names()) {
                baseWeights.put(n, ck.floats(n));
            }
        }
    }

    @AfterAll
    static void release() {
        if (base != null) {
            base.close();
        }
        root.close();
    }

    /** A tensor of an adapter: values and shape. */
    private record Tensor(long[] shape, float[] values) {
    }

    private Tensor random(long rows, long cols, boolean zero) {
        float[] v = new float[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = zero ? 0f : (float) random.nextGaussian() * 0.1f;
        }
        return new Tensor(new long[] {rows, cols}, v);
    }

    /** PEFT-named A/B tensors for q_proj (64 x 64) and v_proj (32 x 64) of every layer. */
    private Map<String, Tensor> tensors(String prefix, String suffix, boolean fanInFanOut, boolean zeroB) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (int layer = 0; layer < 5; layer++) {
            for (String module : new String[] {"q_proj", "v_proj"}) {
                long out = module.equals("q_proj") ? 64 : 32;
                long in = 64;
                String name = prefix + "model.layers." + layer + ".self_attn." + module;
                // fan_in_fan_out: the adapter was made for a weight stored [in, out], so A reads the rows.
                t.put(name + ".lora_A" + suffix + ".weight", random(R, fanInFanOut ? out : in, false));
                t.put(name + ".lora_B" + suffix + ".weight", random(fanInFanOut ? in : out, R, zeroB));
            }
        }
        return t;
    }

    private Path write(String name, Map<String, Tensor> tensors, Consumer<ObjectNode> config) {
        Path dir = temp.resolve(name);
        try {
            Files.createDirectories(dir);
            writeFiles(dir, tensors, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static void writeFiles(Path dir, Map<String, Tensor> tensors, Consumer<ObjectNode> config) throws IOException {
        ObjectNode c = new ObjectMapper().createObjectNode();
        c.put("peft_type", "LORA").put("r", R).put("lora_alpha", ALPHA).put("lora_dropout", 0.1)
                .put("fan_in_fan_out", false).put("bias", "none").putNull("task_type");
        c.putArray("target_modules").add("q_proj").add("v_proj");
        config.accept(c);
        new ObjectMapper().writeValue(dir.resolve(LoraAdapter.CONFIG_FILE).toFile(), c);
        SafetensorsWriter w = new SafetensorsWriter();
        tensors.forEach((n, t) -> w.putFloats(n, t.shape(), t.values()));
        w.write(dir.resolve(LoraAdapter.WEIGHTS_FILE));
    }

    private static float[] logits(LlamaModel model) {
        try (KvCache c = model.newCache(PROMPT.length)) {
            return model.prefill(c, List.of(Segment.tokens(PROMPT)));
        }
    }

    /** W + (alpha/r) B A (transposed for fan_in_fan_out), by loops. */
    private static float[] expectedMerge(float[] w, Tensor a, Tensor b, boolean fanInFanOut) {
        int rows = (int) b.shape()[0];
        int cols = (int) a.shape()[1];
        float[] out = w.clone();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int k = 0; k < R; k++) {
                    s += b.values()[i * R + k] * a.values()[k * cols + j];
                }
                int index = fanInFanOut ? j * rows + i : i * cols + j;
                out[index] += (float) (ALPHA / R * s);
            }
        }
        return out;
    }

    private void assertMerged(LlamaModel tuned, Map<String, Tensor> tensors, String prefix, String suffix, boolean fifo) {
        for (int layer = 0; layer < 5; layer++) {
            for (String module : new String[] {"q_proj", "v_proj"}) {
                String name = "model.layers." + layer + ".self_attn." + module;
                float[] expected = expectedMerge(baseWeights.get(name + ".weight"),
                        tensors.get(prefix + name + ".lora_A" + suffix + ".weight"),
                        tensors.get(prefix + name + ".lora_B" + suffix + ".weight"), fifo);
                float[] got = tuned.weights().linear(name).toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    assertThat(got[i]).as("%s[%d]", name, i).isCloseTo(expected[i], within(1e-5f));
                }
            }
        }
    }

    @Test
    void mergedWeightsMatchHandComputation() {
        Map<String, Tensor> t = tensors("base_model.model.", "", false, false);
        LoraAdapter adapter = LoraAdapter.load(write("plain", t, c -> { }));
        assertThat(adapter.modules()).hasSize(10);
        assertThat(adapter.config().scaling()).isEqualTo(2.0);
        try (LlamaModel tuned = base.withAdapter(adapter, "test")) {
            assertMerged(tuned, t, "base_model.model.", "", false);
            assertThat(tuned.weights().linear("model.layers.0.self_attn.k_proj"))
                    .as("untouched weights are shared, not copied")
                    .isSameAs(base.weights().linear("model.layers.0.self_attn.k_proj"));
        }
    }

    @Test
    void mplugOwlKeysWithRegexTargetsAndDefaultAdapterName() {
        Map<String, Tensor> t = tensors("base_model.model.language_model.", ".default", false, false);
        LoraAdapter adapter = LoraAdapter.load(write("mplug", t,
                c -> c.put("target_modules", ".*language_model.*\\.(q_proj|v_proj)")));
        try (LlamaModel tuned = base.withAdapter(adapter, "gpt4video")) {
            assertMerged(tuned, t, "base_model.model.language_model.", ".default", false);
        }
    }

    @Test
    void fanInFanOutMergesTheTransposedDelta() {
        Map<String, Tensor> t = tensors("base_model.model.", "", true, false);
        LoraAdapter adapter = LoraAdapter.load(write("fifo", t, c -> c.put("fan_in_fan_out", true)));
        try (LlamaModel tuned = base.withAdapter(adapter, "fifo")) {
            assertMerged(tuned, t, "base_model.model.", "", true);
        }
    }

    @Test
    void aZeroAdapterLeavesLogitsUnchanged() {
        LoraAdapter adapter = LoraAdapter.load(write("zero", tensors("base_model.model.", "", false, true), c -> { }));
        try (LlamaModel tuned = base.withAdapter(adapter, "zero")) {
            assertThat(logits(tuned)).containsExactly(logits(base));
        }
    }

    @Test
    void switchingAdaptersRestoresBaseOutputs() {
        float[] before = logits(base);
        LoraAdapter first = LoraAdapter.load(write("a", tensors("base_model.model.", "", false, false), c -> { }));
        LoraAdapter second = LoraAdapter.load(write("b", tensors("base_model.model.", "", false, false), c -> { }));
        LlamaModel a = base.withAdapter(first, "a");
        LlamaModel b = base.withAdapter(second, "b");
        float[] la = logits(a);
        float[] lb = logits(b);
        assertThat(la).isNotEqualTo(before);
        assertThat(lb).isNotEqualTo(la);
        assertThat(logits(base)).containsExactly(before);
        a.close();
        assertThat(logits(b)).containsExactly(lb);
        b.close();
        assertThat(logits(base)).containsExactly(before);
    }

    private void assertMismatch(Runnable load, String tensor) {
        assertThatThrownBy(load::run).isInstanceOfSatisfying(Gpt4VideoException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.ADAPTER_MISMATCH);
            assertThat(e.getMessage()).contains(tensor);
        });
    }

    @Test
    void wrongShapesFailNamingTheTensor() {
        Map<String, Tensor> t = tensors("base_model.model.", "", false, false);
        String bad = "base_model.model.model.layers.3.self_attn.v_proj.lora_B.weight";
        t.put(bad, random(64, R, false)); // v_proj has 32 output rows
        LoraAdapter adapter = LoraAdapter.load(write("shape", t, c -> { }));
        assertMismatch(() -> base.withAdapter(adapter, "bad").close(), bad);

        Map<String, Tensor> rank = tensors("base_model.model.", "", false, false);
        String badRank = "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight";
        rank.put(badRank, random(R + 1, 64, false));
        assertMismatch(() -> LoraAdapter.load(write("rank", rank, c -> { })), badRank);
    }

    @Test
    void aModuleTheBaseLacksFailsNamingTheTensor() {
        Map<String, Tensor> t = tensors("base_model.model.", "", false, false);
        String extra = "base_model.model.model.layers.9.self_attn.q_proj.lora_A.weight";
        t.put(extra, random(R, 64, false));
        t.put(extra.replace("lora_A", "lora_B"), random(64, R, false));
        LoraAdapter adapter = LoraAdapter.load(write("layer9", t, c -> { }));
        assertMismatch(() -> base.withAdapter(adapter, "bad").close(), extra);
    }

    @Test
    void untargetedOrUnpairedTensorsFailNamingThem() {
        Map<String, Tensor> t = tensors("base_model.model.", "", false, false);
        String kProj = "base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight";
        t.put(kProj, random(R, 64, false));
        assertMismatch(() -> LoraAdapter.load(write("k", t, c -> { })), kProj);

        Map<String, Tensor> unpaired = tensors("base_model.model.", "", false, false);
        String missingB = "base_model.model.model.layers.2.self_attn.q_proj.lora_B.weight";
        unpaired.remove(missingB);
        assertMismatch(() -> LoraAdapter.load(write("unpaired", unpaired, c -> { })), missingB);
    }

    @Test
    void aDifferentBaseModelFails() {
        Path dir = write("other", tensors("base_model.model.", "", false, false),
                c -> c.put("base_model_name_or_path", "huggyllama/llama-7b"));
        LoraAdapter adapter = LoraAdapter.load(dir);
        try (LlamaModel named = LlamaModel.load(Stories260k.dir(), root, ai.djl.ndarray.types.DataType.FLOAT32,
                new LlamaModel.LoadOptions(null, null, "karpathy/stories260K"))) {
            assertMismatch(() -> named.withAdapter(adapter, "x").close(), "huggyllama/llama-7b");
        }
        // The base's name is unknown here (no _name_or_path), so the adapter is accepted.
        base.withAdapter(adapter, "unnamed").close();
    }
}
