package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.t2v.zeroscope.AutoencoderKlDecoder;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The LDM first-stage decoder read through the remap gives exactly what the shared diffusers decoder
 * gives when the same values are stored under diffusers names. The diffusers names are written out
 * here by hand for the tiny two-level VAE (levels swapped, 1x1 convs flattened), independently of
 * {@link VideoCrafterKeys}; the decoder maths itself has its own diffusers parity test.
 */
class LdmVaeRemapTest {
    private static final String P = "first_stage_model.";

    @Test
    void ldmNamesDecodeLikeDiffusersNames() {
        LvdmTinyCheckpoint ckpt = new LvdmTinyCheckpoint(8, 300, false, false);
        Map<String, float[]> diffusers = new TreeMap<>();
        Map<String, long[]> shapes = new TreeMap<>();
        ckpt.values.forEach((name, v) -> {
            if (!name.startsWith(P) || name.startsWith(P + "encoder.") || name.startsWith(P + "quant_conv.")) {
                return;
            }
            String n = name.substring(P.length())
                    .replace("decoder.up.1.upsample.", "decoder.up_blocks.0.upsamplers.0.")
                    .replace("decoder.up.1.block.", "decoder.up_blocks.0.resnets.")
                    .replace("decoder.up.0.block.", "decoder.up_blocks.1.resnets.")
                    .replace("nin_shortcut", "conv_shortcut")
                    .replace("decoder.mid.block_1.", "decoder.mid_block.resnets.0.")
                    .replace("decoder.mid.block_2.", "decoder.mid_block.resnets.1.")
                    .replace("decoder.mid.attn_1.norm.", "decoder.mid_block.attentions.0.group_norm.")
                    .replace("decoder.mid.attn_1.q.", "decoder.mid_block.attentions.0.to_q.")
                    .replace("decoder.mid.attn_1.k.", "decoder.mid_block.attentions.0.to_k.")
                    .replace("decoder.mid.attn_1.v.", "decoder.mid_block.attentions.0.to_v.")
                    .replace("decoder.mid.attn_1.proj_out.", "decoder.mid_block.attentions.0.to_out.0.")
                    .replace("decoder.norm_out.", "decoder.conv_norm_out.");
            long[] shape = ckpt.shapes.get(name);
            if (n.contains("attentions.0.to_") && shape.length == 4) {
                shape = new long[] {shape[0], shape[1]};
            }
            diffusers.put(n, v);
            shapes.put(n, shape);
        });
        VideoCrafterConfig config = LvdmTinyCheckpoint.videoCrafterConfig(300);
        float[] z = new float[2 * 4 * 4 * 6];
        Random r = new Random(2);
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) r.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKlDecoder viaRemap = VideoCrafterPipeline.loadVae(new MapWeights(ckpt.values, ckpt.shapes, m), config, 0);
            AutoencoderKlDecoder direct = AutoencoderKlDecoder.load(new MapWeights(diffusers, shapes, m), config.vaeConfig(), 0);
            NDArray latents = m.create(z, new Shape(2, 4, 4, 6));
            float[] a = viaRemap.decode(latents).toFloatArray();
            float[] b = direct.decode(latents).toFloatArray();
            assertThat(viaRemap.decode(latents).getShape()).isEqualTo(new Shape(2, 3, 8, 12));
            assertThat(a).containsExactly(b);
        }
    }
}
