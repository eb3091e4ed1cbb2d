package dev.gpt4video.llm.llama;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.CheckpointException;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.core.checkpoint.TensorInfo;
import dev.gpt4video.llm.Stories260k;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every stories260k tensor must be present and used; extra tensors fail; names are reported. */
class StrictLoadingTest {
    private static NDManager root;

    @TempDir
    Path temp;

    @BeforeAll
    static void engine() {
        root = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void release() {
        root.close();
    }

    /** A copy of the fixture with tensors renamed by {@code rename} (null drops) plus {@code extra}. */
    private Path copy(String name, java.util.function.UnaryOperator<String> rename, List<String> extra) throws IOException {
        Path out = temp.resolve(name);
        Files.createDirectories(out);
        Files.copy(Stories260k.dir().resolve("config.json"), out.resolve("config.json"));
        SafetensorsWriter writer = new SafetensorsWriter();
        try (Checkpoint ck = Checkpoint.open(Stories260k.dir())) {
            for (String n : ck.names()) {
                String target = rename.apply(n);
                if (target != null) {
                    TensorInfo info = ck.info(n);
                    writer.putBytes(target, info.dtype(), info.shape(), ck.bytes(n));
                }
            }
        }
        for (String e : extra) {
            writer.putFloats(e, new long[] {2}, new float[] {1f, 2f});
        }
        writer.write(out.resolve("model.safetensors"));
        return out;
    }

    private static LlamaModel load(Path dir) {
        return LlamaModel.load(dir, root, DataType.FLOAT32, LlamaModel.LoadOptions.defaults());
    }

    @Test
    void removingAnyTensorFailsNamingIt() throws IOException {
        SortedSet<String> names;
        try (Checkpoint ck = Checkpoint.open(Stories260k.dir())) {
            names = ck.names();
        }
        assertThat(names).hasSize(48);
        for (String missing : names) {
            Path dir = copy("without-" + missing, n -> n.equals(missing) ? null : n, List.of());
            if (missing.equals(LlamaWeights.LM_HEAD)) {
                // config.json ties the head to the embeddings, so a checkpoint without it is complete.
                try (LlamaModel m = load(dir)) {
                    assertThat(m.weights().lmHead()).isSameAs(m.weights().embedTokens());
                }
                continue;
            }
            assertThatThrownBy(() -> load(dir).close()).as(missing)
                    .isInstanceOfSatisfying(CheckpointException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_TENSOR_MISSING);
                        assertThat(e.tensor()).isEqualTo(missing);
                        assertThat(e.getMessage()).contains(missing);
                    });
        }
        assertThat(root.getManagedArrays()).as("failed loads free what they loaded").isEmpty();
    }

    @Test
    void anUnknownTensorFailsNamingIt() throws IOException {
        String unknown = "model.layers.0.self_attn.q_proj.bias";
        Path dir = copy("extra", n -> n, List.of(unknown));
        assertThatThrownBy(() -> load(dir).close()).isInstanceOfSatisfying(CheckpointException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_TENSOR_UNEXPECTED);
            assertThat(e.getMessage()).contains(unknown);
        });
    }

    @Test
    void rotaryInverseFrequenciesAreIgnored() throws IOException {
        Path dir = copy("inv-freq", n -> n, List.of("model.layers.0.self_attn.rotary_emb.inv_freq"));
        load(dir).close();
    }

    @Test
    void aWrongShapeFailsNamingTheTensor() throws IOException {
        String bad = "model.layers.2.mlp.up_proj.weight";
        Path dir = copy("bad-shape", n -> n.equals(bad) ? null : n, List.of(bad));
        assertThatThrownBy(() -> load(dir).close()).isInstanceOfSatisfying(CheckpointException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_SHAPE_MISMATCH);
            assertThat(e.tensor()).isEqualTo(bad);
        });
    }

    @Test
    void mplugOwlPrefixIsDetectedAndOtherComponentsAreLeftAlone() throws IOException {
        Path dir = copy("mplug", n -> "language_model." + n, List.of("vision_model.embeddings.cls_token"));
        int[] prompt = {1, 403, 407, 261, 378};
        float[] expected;
        try (LlamaModel plain = load(Stories260k.dir()); KvCache c = plain.newCache(prompt.length)) {
            expected = plain.prefill(c, List.of(Segment.tokens(prompt)));
        }
        try (LlamaModel prefixed = load(dir); KvCache c = prefixed.newCache(prompt.length)) {
            assertThat(prefixed.prefill(c, List.of(Segment.tokens(prompt)))).containsExactly(expected);
        }
    }

    @Test
    void anAbsentHeadIsTiedToTheEmbeddingsEvenWhenTheConfigUnties() throws IOException {
        Path dir = copy("untied", n -> n.equals(LlamaWeights.LM_HEAD) ? null : n, List.of());
        Files.writeString(dir.resolve("config.json"),
                Files.readString(dir.resolve("config.json")).replace("\"tie_word_embeddings\": true",
                        "\"tie_word_embeddings\": false"));
        try (LlamaModel m = load(dir)) {
            assertThat(m.config().tieWordEmbeddings()).isFalse();
            assertThat(m.weights().lmHead()).isSameAs(m.weights().embedTokens());
        }
    }

    @Test
    void anUnsupportedComputeDtypeIsRefused() {
        assertThatThrownBy(() -> LlamaModel.load(Stories260k.dir(), root, DataType.FLOAT64,
                LlamaModel.LoadOptions.defaults()))
                .isInstanceOfSatisfying(Gpt4VideoException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
    }
}
