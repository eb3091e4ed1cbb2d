package dev.gpt4video.safety.nsfwjs;

import ai.djl.ndarray.NDManager;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.CheckpointException;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The converter reproduces the reference float32 tensors bit for bit, and loading is strict. */
class NsfwjsLoadingTest {

    @Test
    void converterMatchesReferenceSafetensorsBitwise(@TempDir Path out) throws Exception {
        Path shared = Fixtures.requireModel("nsfwjs-mobilenet-v2");
        NsfwjsConverter.convert(shared, out);
        assertThat(out.resolve("config.json")).exists();
        try (Checkpoint mine = Checkpoint.open(out.resolve("model.safetensors"));
             Checkpoint ref = Checkpoint.open(shared.resolve("model.safetensors"))) {
            assertThat(mine.names()).isEqualTo(ref.names()).hasSize(266);
            for (String n : ref.names()) {
                assertThat(mine.info(n).shape()).as(n).isEqualTo(ref.info(n).shape());
                ByteBuffer a = mine.bytes(n).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer b = ref.bytes(n).order(ByteOrder.LITTLE_ENDIAN);
                assertThat(a.equals(b)).as("bytes of %s", n).isTrue();
            }
        }
    }

    @Test
    void tfjsFilesLoadDirectlyAndGiveTheSameOutputs() {
        Path shared = Fixtures.requireModel("nsfwjs-mobilenet-v2");
        float[] image = new float[224 * 224 * 3];
        for (int i = 0; i < image.length; i++) {
            image[i] = (i % 251) / 250f;
        }
        try (NDManager m = NDManager.newBaseManager();
             TfjsLayersCheckpoint tfjs = TfjsLayersCheckpoint.open(shared.resolve("model.json"));
             NsfwjsModel fromTfjs = NsfwjsModel.load(tfjs, NsfwjsConfig.defaults(), m);
             NsfwjsModel fromSafetensors = NsfwjsModel.load(shared, m)) {
            assertThat(fromTfjs.predict(image, 1)[0]).containsExactly(fromSafetensors.predict(image, 1)[0]);
        }
    }

    @Test
    void missingTensorIsNamed(@TempDir Path dir) {
        Path shared = Fixtures.requireModel("nsfwjs-mobilenet-v2");
        Path broken = dir.resolve("model.safetensors");
        copyAllBut(shared.resolve("model.safetensors"), broken, "block_7_project/kernel", null);
        assertThatThrownBy(() -> load(dir))
                .isInstanceOfSatisfying(CheckpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_TENSOR_MISSING);
                    assertThat(e.tensor()).isEqualTo("block_7_project/kernel");
                });
    }

    @Test
    void unknownTensorIsNamed(@TempDir Path dir) {
        Path shared = Fixtures.requireModel("nsfwjs-mobilenet-v2");
        copyAllBut(shared.resolve("model.safetensors"), dir.resolve("model.safetensors"), null, "dense_4/kernel");
        assertThatThrownBy(() -> load(dir))
                .isInstanceOfSatisfying(CheckpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_TENSOR_UNEXPECTED);
                    assertThat(e.getMessage()).contains("dense_4/kernel");
                });
    }

    private static void load(Path dir) {
        try (NDManager m = NDManager.newBaseManager(); NsfwjsModel model = NsfwjsModel.load(dir, m)) {
            model.config();
        }
    }

    private static void copyAllBut(Path src, Path dst, String drop, String extra) {
        SafetensorsWriter w = new SafetensorsWriter();
        try (Checkpoint ckpt = Checkpoint.open(src)) {
            for (String n : ckpt.names()) {
                if (!n.equals(drop)) {
                    w.putFloats(n, DType.F32, ckpt.info(n).shape(), ckpt.floats(n));
                }
            }
        }
        if (extra != null) {
            w.putFloats(extra, new long[] {2}, new float[] {1, 2});
        }
        w.write(dst);
        assertThat(Files.exists(dst)).isTrue();
    }
}
