package dev.gpt4video.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsRoundTripTest {
    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static final float[] VALUES = {0f, 1f, -2f, 0.5f, 3.140625f, -0.25f};

    @Test
    void everyDtypeRoundTripsThroughFileAndEngine() {
        Path f = dir.resolve("all.safetensors");
        new SafetensorsWriter()
                .putFloats("f32", DType.F32, new long[] {2, 3}, VALUES)
                .putFloats("f16", DType.F16, new long[] {2, 3}, VALUES)
                .putFloats("bf16", DType.BF16, new long[] {3, 2}, VALUES)
                .putLongs("i64", new long[] {3}, new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE})
                .putInts("i32", new long[] {2}, new int[] {Integer.MIN_VALUE, 7})
                .putUnsignedBytes("u8", DType.U8, new long[] {3}, new byte[] {0, (byte) 200, (byte) 255})
                .putUnsignedBytes("bool", DType.BOOL, new long[] {2}, new byte[] {1, 0})
                .putFloats("scalar", DType.F32, new long[] {}, new float[] {42f})
                .putFloats("empty", DType.F32, new long[] {0, 4}, new float[0])
                .write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThat(r.names()).containsExactly("bf16", "bool", "empty", "f16", "f32", "i32", "i64", "scalar", "u8");
            assertThat(r.metadata()).containsEntry("format", "pt");
            for (String n : new String[] {"f32", "f16", "bf16"}) {
                assertThat(r.floats(n)).as(n).containsExactly(VALUES);
                NDArray a = r.load(n, manager, null);
                // bf16 widens to float32: DJL's PyTorch JNI cannot hold bfloat16 tensors.
                assertThat(a.getDataType()).isEqualTo(n.equals("bf16") ? DataType.FLOAT32 : DType.valueOf(n.toUpperCase()).dataType());
                assertThat(r.load(n, manager, DataType.FLOAT16).toType(DataType.FLOAT32, false).toFloatArray()).as(n).containsExactly(VALUES);
                NDArray asF32 = r.load(n, manager, DataType.FLOAT32);
                assertThat(asF32.toFloatArray()).as(n).containsExactly(VALUES);
            }
            assertThat(r.info("bf16").shape()).containsExactly(3, 2);
            assertThat(r.load("i64", manager, null).toLongArray()).containsExactly(Long.MIN_VALUE, -1, Long.MAX_VALUE);
            assertThat(r.load("i32", manager, null).toIntArray()).containsExactly(Integer.MIN_VALUE, 7);
            assertThat(r.load("u8", manager, null).toUint8Array()).containsExactly(0, 200, 255);
            assertThat(r.load("bool", manager, null).toBooleanArray()).containsExactly(true, false);
            assertThat(r.load("i32", manager, DataType.INT64).toLongArray()).containsExactly((long) Integer.MIN_VALUE, 7L);
            NDArray scalar = r.load("scalar", manager, null);
            assertThat(scalar.getShape().dimension()).isZero();
            assertThat(scalar.getFloat()).isEqualTo(42f);
            assertThat(r.load("empty", manager, null).getShape().getShape()).containsExactly(0, 4);
        }
    }

    @Test
    void conversionsToHalfFormatsAreBitExact() {
        // 1 + 2^-8 (0x3F808000) ties to even in bf16 -> 0x3F80; 1 + 3*2^-11 -> f16 0x3C02; pi -> bf16 0x4049.
        float[] v = {Float.intBitsToFloat(0x3F808000), 1f + 3 * 0x1p-11f, (float) Math.PI};
        Path f = dir.resolve("conv.safetensors");
        new SafetensorsWriter().putFloats("x", DType.F32, new long[] {3}, v).write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            assertThatThrownBy(() -> r.load("x", manager, DataType.BFLOAT16))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("bfloat16");
            ByteBuffer h = r.load("x", manager, DataType.FLOAT16).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            assertThat(new short[] {h.getShort(0), h.getShort(2), h.getShort(4)})
                    .containsExactly((short) 0x3C04, (short) 0x3C02, (short) 0x4248); // 1+2^-8 is exact in f16
        }
        // F32 values written as BF16: the file holds the hand-computed bit patterns.
        Path w = dir.resolve("w.safetensors");
        new SafetensorsWriter().putFloats("x", DType.BF16, new long[] {3}, v).write(w);
        try (SafetensorsReader r = SafetensorsReader.open(w)) {
            ByteBuffer bf = r.bytes("x");
            assertThat(new short[] {bf.getShort(0), bf.getShort(2), bf.getShort(4)})
                    .containsExactly((short) 0x3F80, (short) 0x3F80, (short) 0x4049);
        }
        // And BF16 on disk -> F16 in the engine: 0x4049 = 3.140625 = f16 0x4248.
        Path g = dir.resolve("bf.safetensors");
        new SafetensorsWriter().putFloats("y", DType.BF16, new long[] {1}, new float[] {3.140625f}).write(g);
        try (SafetensorsReader r = SafetensorsReader.open(g)) {
            ByteBuffer h = r.load("y", manager, DataType.FLOAT16).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            assertThat(h.getShort(0)).isEqualTo((short) 0x4248);
        }
    }

    @Test
    void writerIsDeterministicAndHeaderIsPadded() throws Exception {
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        new SafetensorsWriter().putFloats("z", new long[] {1}, new float[] {1}).putFloats("a", new long[] {1}, new float[] {2}).write(a);
        new SafetensorsWriter().putFloats("a", new long[] {1}, new float[] {2}).putFloats("z", new long[] {1}, new float[] {1}).write(b);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(a), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLen % 8).isZero();
    }

    @Test
    void loadedArraysDoNotAliasTheMappedFile() {
        Path f = dir.resolve("alias.safetensors");
        new SafetensorsWriter().putFloats("w", new long[] {2}, new float[] {1, 2}).write(f);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            NDArray w = r.load("w", manager, null);
            w.addi(1f); // would fault on a read-only mapping if it aliased it
            assertThat(w.toFloatArray()).containsExactly(2f, 3f);
            assertThat(r.floats("w")).containsExactly(1f, 2f);
        }
    }

    @Test
    void prefixViewAndShardedCheckpoint() throws Exception {
        new SafetensorsWriter()
                .putFloats("language_model.model.norm.weight", new long[] {2}, new float[] {1, 2})
                .putFloats("vision_model.post_layernorm.weight", new long[] {1}, new float[] {3})
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter()
                .putFloats("language_model.lm_head.weight", new long[] {1, 2}, new float[] {4, 5})
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), """
                {"metadata": {"total_size": 20}, "weight_map": {
                  "language_model.model.norm.weight": "model-00001-of-00002.safetensors",
                  "vision_model.post_layernorm.weight": "model-00001-of-00002.safetensors",
                  "language_model.lm_head.weight": "model-00002-of-00002.safetensors"}}""");
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            assertThat(ckpt).isInstanceOf(ShardedCheckpoint.class);
            assertThat(ckpt.names()).hasSize(3);
            Checkpoint llm = ckpt.withPrefix("language_model.");
            assertThat(llm.names()).containsExactly("lm_head.weight", "model.norm.weight");
            assertThat(llm.floats("lm_head.weight")).containsExactly(4f, 5f);
            assertThat(llm.info("lm_head.weight").name()).isEqualTo("lm_head.weight");
            assertThatThrownBy(() -> llm.info("post_layernorm.weight"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("language_model.post_layernorm.weight");
        }
    }

    @Test
    void shardListedButMissingTensorIsNamed() throws Exception {
        new SafetensorsWriter().putFloats("a", new long[] {1}, new float[] {1}).write(dir.resolve("s1.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s1.safetensors\"}}");
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOfSatisfying(CheckpointException.class, e -> assertThat(e.tensor()).isEqualTo("b"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"a\": \"../s1.safetensors\"}}");
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("outside");
    }
}
