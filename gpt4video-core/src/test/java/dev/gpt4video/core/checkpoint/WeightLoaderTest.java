package dev.gpt4video.core.checkpoint;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.core.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightLoaderTest {
    @TempDir
    Path dir;

    private Checkpoint checkpoint() {
        Path f = dir.resolve("m.safetensors");
        new SafetensorsWriter()
                .putFloats("enc.a.weight", new long[] {2, 2}, new float[] {1, 2, 3, 4})
                .putFloats("enc.a.bias", new long[] {2}, new float[] {5, 6})
                .putFloats("enc.rotary_emb.inv_freq", new long[] {1}, new float[] {1})
                .putFloats("stray", new long[] {1}, new float[] {0})
                .write(f);
        return Checkpoint.open(f);
    }

    @Test
    void strictModeNamesMissingUnexpectedAndMisshapenTensors() {
        try (Checkpoint c = checkpoint(); NDManager m = NDManager.newBaseManager("PyTorch")) {
            WeightLoader w = new WeightLoader(c, m, DataType.FLOAT32, WeightLoader.Mode.STRICT).ignore(".*rotary_emb\\.inv_freq");
            WeightLoader enc = w.scope("enc.");
            assertThat(enc.get("a.weight", 2, 2).toFloatArray()).containsExactly(1, 2, 3, 4);
            assertThatThrownBy(() -> enc.get("a.bias", 3))
                    .isInstanceOfSatisfying(CheckpointException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_SHAPE_MISMATCH);
                        assertThat(e.tensor()).isEqualTo("enc.a.bias");
                    });
            assertThatThrownBy(() -> enc.get("b.weight"))
                    .isInstanceOfSatisfying(CheckpointException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_TENSOR_MISSING);
                        assertThat(e.getMessage()).contains("enc.b.weight").contains("m.safetensors");
                    });
            assertThat(enc.optional("b.weight")).isNull();
            enc.get("a.bias", 2);
            assertThatThrownBy(w::finish)
                    .isInstanceOfSatisfying(CheckpointException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_TENSOR_UNEXPECTED);
                        assertThat(e.getMessage()).contains("[stray]");
                    });
            w.markConsumed("stray");
            w.finish();
        }
    }

    @Test
    void lenientModeOnlyLogsLeftovers() {
        try (Checkpoint c = checkpoint(); NDManager m = NDManager.newBaseManager("PyTorch")) {
            WeightLoader w = new WeightLoader(c, m, DataType.FLOAT32, WeightLoader.Mode.LENIENT);
            w.get("enc.a.weight");
            assertThat(w.unconsumed()).containsExactly("enc.a.bias", "enc.rotary_emb.inv_freq", "stray");
            w.finish();
        }
    }
}
