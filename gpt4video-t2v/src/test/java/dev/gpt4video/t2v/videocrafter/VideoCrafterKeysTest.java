package dev.gpt4video.t2v.videocrafter;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.checkpoint.CheckpointException;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.runtime.RuntimeOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Key remaps and strict loading of lvdm-named checkpoints. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VideoCrafterKeysTest {
    @TempDir
    Path tmp;
    private InferenceRuntime runtime;

    @BeforeAll
    void start() {
        runtime = InferenceRuntime.create(RuntimeOptions.defaults());
    }

    @AfterAll
    void stop() {
        runtime.close();
    }

    @Test
    void remapsTheDocumentedNames() {
        assertThat(VideoCrafterKeys.unet("input_blocks.4.0.conv_shortcut.weight").name())
                .isEqualTo("input_blocks.4.0.skip_connection.weight");
        assertThat(VideoCrafterKeys.unet("middle_block.3.norm2.bias").name()).isEqualTo("middle_block.3.out_layers.0.bias");
        assertThat(VideoCrafterKeys.unet("output_blocks.2.0.time_emb_proj.weight").name())
                .isEqualTo("output_blocks.2.0.emb_layers.1.weight");
        assertThat(VideoCrafterKeys.unet("input_blocks.3.0.conv.weight").name()).isEqualTo("input_blocks.3.0.op.weight");
        assertThat(VideoCrafterKeys.unet("output_blocks.5.3.conv.weight").name()).isEqualTo("output_blocks.5.3.conv.weight");
        assertThat(VideoCrafterKeys.unet("input_blocks.1.1.transformer_blocks.0.norm1.weight").name())
                .isEqualTo("input_blocks.1.1.transformer_blocks.0.norm1.weight");
        assertThat(VideoCrafterKeys.unet("time_embedding.linear_2.bias").name()).isEqualTo("time_embed.2.bias");
        assertThat(VideoCrafterKeys.unet("conv_out.weight").name()).isEqualTo("out.2.weight");
        assertThat(VideoCrafterKeys.unet("init_attn.0.proj_in.weight").squeeze()).isEqualTo(1);

        VideoCrafterKeys.Source k = VideoCrafterKeys.text("encoder.layers.7.self_attn.k_proj.weight");
        assertThat(k.name()).isEqualTo("transformer.resblocks.7.attn.in_proj_weight");
        assertThat(k.part()).isEqualTo(1);
        assertThat(k.parts()).isEqualTo(3);
        assertThat(VideoCrafterKeys.text("embeddings.position_embedding.weight").name()).isEqualTo("positional_embedding");

        assertThat(VideoCrafterKeys.vae("decoder.up_blocks.0.resnets.2.conv1.weight", 4).name())
                .isEqualTo("decoder.up.3.block.2.conv1.weight");
        assertThat(VideoCrafterKeys.vae("decoder.up_blocks.2.resnets.0.conv_shortcut.weight", 4).name())
                .isEqualTo("decoder.up.1.block.0.nin_shortcut.weight");
        assertThat(VideoCrafterKeys.vae("decoder.up_blocks.1.upsamplers.0.conv.bias", 4).name())
                .isEqualTo("decoder.up.2.upsample.conv.bias");
        assertThat(VideoCrafterKeys.vae("decoder.mid_block.attentions.0.to_out.0.weight", 4).name())
                .isEqualTo("decoder.mid.attn_1.proj_out.weight");
    }

    @Test
    void strictLoadReadsEveryTensorAndInfersTheConditioning() throws IOException {
        Path plain = LvdmTinyCheckpoint.writeFolder(tmp.resolve("plain"), 1, false, false);
        try (VideoCrafterPipeline p = VideoCrafterPipeline.load(plain, runtime, VideoCrafterOptions.defaults())) {
            assertThat(p.config().hasFpsCondition()).isFalse();
            assertThat(p.config().hasScale()).isFalse();
        }
        Path conditioned = LvdmTinyCheckpoint.writeFolder(tmp.resolve("conditioned"), 1, true, true);
        try (VideoCrafterPipeline p = VideoCrafterPipeline.load(conditioned, runtime, VideoCrafterOptions.defaults())) {
            assertThat(p.config().hasFpsCondition()).isTrue();
            assertThat(p.config().hasScale()).isTrue();
            assertThat(p.scaleAt(0)).isEqualTo(1.0);
            assertThat(p.scaleAt(1)).isCloseTo(1 - 0.7 / 399, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(p.scaleAt(399)).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(p.scaleAt(981)).isEqualTo(0.3);
        }
    }

    @Test
    void aMissingTensorFailsNamingIt() throws IOException {
        Path dir = LvdmTinyCheckpoint.writeFolder(tmp.resolve("missing"), 1, false, false);
        String name = "model.diffusion_model.init_attn.0.transformer_blocks.0.attn2.relative_position_v.embeddings_table";
        rewrite(dir, c -> c.values.remove(name));
        assertThatThrownBy(() -> VideoCrafterPipeline.load(dir, runtime, VideoCrafterOptions.defaults()))
                .isInstanceOfSatisfying(CheckpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_TENSOR_MISSING);
                    assertThat(e.getMessage()).contains(name);
                });
        assertThat(runtime.liveArrays()).isZero();
    }

    @Test
    void anUnknownTensorFailsNamingIt() throws IOException {
        Path dir = LvdmTinyCheckpoint.writeFolder(tmp.resolve("unknown"), 1, false, false);
        String name = "model.diffusion_model.input_blocks.1.0.in_layers.9.weight";
        rewrite(dir, c -> c.put(name, 1, 4));
        assertThatThrownBy(() -> VideoCrafterPipeline.load(dir, runtime, VideoCrafterOptions.defaults()))
                .isInstanceOfSatisfying(CheckpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_TENSOR_UNEXPECTED);
                    assertThat(e.getMessage()).contains(name);
                });
    }

    @Test
    void aConvShapedProjectionWithTheWrongShapeFails() throws IOException {
        Path dir = LvdmTinyCheckpoint.writeFolder(tmp.resolve("shape"), 1, false, false);
        String name = "model.diffusion_model.init_attn.0.proj_in.weight";
        rewrite(dir, c -> {
            c.values.remove(name);
            c.shapes.remove(name);
            c.put(name, 0.1, 64, 16); // Linear-shaped where lvdm stores Conv1d [out, in, 1]
        });
        assertThatThrownBy(() -> VideoCrafterPipeline.load(dir, runtime, VideoCrafterOptions.defaults()))
                .isInstanceOfSatisfying(CheckpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_SHAPE_MISMATCH);
                    assertThat(e.getMessage()).contains(name);
                });
    }

    private static void rewrite(Path dir, java.util.function.Consumer<LvdmTinyCheckpoint> change) {
        LvdmTinyCheckpoint c = new LvdmTinyCheckpoint(1, dev.gpt4video.t2v.text.DemoClipVocabulary.build(200).size(),
                false, false);
        change.accept(c);
        c.write(dir.resolve("model.safetensors"));
    }
}
