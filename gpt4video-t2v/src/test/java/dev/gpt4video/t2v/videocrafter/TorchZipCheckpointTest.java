package dev.gpt4video.t2v.videocrafter;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.checkpoint.CheckpointException;
import dev.gpt4video.core.checkpoint.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reading {@code torch.save} zip checkpoints. Fixtures: {@code src/test/resources/videocrafter/*.ckpt},
 * written by {@code make_torch_zip_fixture.py} with Python's own pickle module driven as torch.save
 * drives it (protocol 2, persistent storage ids, a Lightning-style root with opaque objects, a view
 * sharing a storage, fp16, a 0-d tensor, one zip64 entry); not produced by a real torch install.
 */
class TorchZipCheckpointTest {

    @Test
    void readsTheStateDictOfALightningCheckpoint() throws Exception {
        try (TorchZipCheckpoint ckpt = TorchZipCheckpoint.open(fixture("tiny_lightning.ckpt"))) {
            assertThat(ckpt.names()).containsExactly("cond_stage_model.model.b", "model.diffusion_model.a.bias",
                    "model.diffusion_model.a.weight", "scale_arr");
            assertThat(ckpt.info("model.diffusion_model.a.weight").shape()).containsExactly(2, 3);
            assertThat(ckpt.floats("model.diffusion_model.a.weight")).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(ckpt.floats("model.diffusion_model.a.bias")).containsExactly(6, 7, 8, 9);
            assertThat(ckpt.info("cond_stage_model.model.b").dtype()).isEqualTo(DType.F16);
            assertThat(ckpt.floats("cond_stage_model.model.b")).containsExactly(0.5f, -1f, 2f, 4f, 8f, 16f);
            assertThat(ckpt.info("scale_arr").shape()).isEmpty();
            assertThat(ckpt.floats("scale_arr")).containsExactly(1f);
        }
    }

    @Test
    void stripsTheDeepSpeedPrefix() throws Exception {
        try (TorchZipCheckpoint ckpt = TorchZipCheckpoint.open(fixture("tiny_deepspeed.ckpt"))) {
            assertThat(ckpt.names()).contains("model.diffusion_model.a.weight", "scale_arr");
            assertThat(ckpt.floats("model.diffusion_model.a.bias")).containsExactly(6, 7, 8, 9);
        }
    }

    @Test
    void rejectsWhatIsNotATorchZip(@TempDir Path tmp) throws IOException {
        Path junk = Files.writeString(tmp.resolve("model.ckpt"), "not a zip");
        assertThatThrownBy(() -> TorchZipCheckpoint.open(junk)).isInstanceOfSatisfying(CheckpointException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_INVALID));
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(TorchZipCheckpointTest.class.getResource("/videocrafter/" + name).toURI());
    }
}
