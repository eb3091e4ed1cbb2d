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

    @Test
    void thePipelineLoadsModelCkptAndGeneratesWhatTheSafetensorsFolderGenerates(@TempDir Path tmp) throws IOException {
        Path converted = LvdmTinyCheckpoint.writeFolder(tmp.resolve("converted"), 6, true, true);
        Path original = LvdmTinyCheckpoint.writeFolder(tmp.resolve("original"), 6, true, true);
        Files.delete(original.resolve("model.safetensors"));
        new LvdmTinyCheckpoint(6, dev.gpt4video.t2v.text.DemoClipVocabulary.build(200).size(), true, true)
                .writeTorchZip(original.resolve("model.ckpt"));
        var request = new dev.gpt4video.core.t2v.T2vRequest("a cat", null, 16, 16, 2, 2, null, 4L, null);
        var options = VideoCrafterOptions.defaults().withDefaults(16, 16, 2, 2);
        try (var runtime = dev.gpt4video.core.runtime.InferenceRuntime.create(
                dev.gpt4video.core.runtime.RuntimeOptions.defaults());
             var a = VideoCrafterBackend.load(converted, runtime, options);
             var b = VideoCrafterBackend.load(original, runtime, options)) {
            var va = a.generate(request, (s, n) -> { }, new dev.gpt4video.core.Cancellation());
            var vb = b.generate(request, (s, n) -> { }, new dev.gpt4video.core.Cancellation());
            for (int f = 0; f < 2; f++) {
                assertThat(vb.frames().rgb().get(f)).isEqualTo(va.frames().rgb().get(f));
            }
        }
    }

    @Test
    void aTruncatedPickleFailsAsAnInvalidCheckpoint(@TempDir Path tmp) throws IOException {
        Path bad = tmp.resolve("model.ckpt");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(bad))) {
            byte[] pkl = {(byte) 0x80, 2, '}', 'X', 100, 0, 0, 0, 'a'}; // a 100-byte string with 1 byte present
            var e = new java.util.zip.ZipEntry("archive/data.pkl");
            e.setMethod(java.util.zip.ZipEntry.STORED);
            e.setSize(pkl.length);
            e.setCompressedSize(pkl.length);
            var crc = new java.util.zip.CRC32();
            crc.update(pkl);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(pkl);
            zip.closeEntry();
        }
        assertThatThrownBy(() -> TorchZipCheckpoint.open(bad)).isInstanceOfSatisfying(CheckpointException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_INVALID));
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(TorchZipCheckpointTest.class.getResource("/videocrafter/" + name).toURI());
    }
}
