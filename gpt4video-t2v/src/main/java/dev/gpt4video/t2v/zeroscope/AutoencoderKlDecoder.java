package dev.gpt4video.t2v.zeroscope;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.config.HfConfigReader;
import dev.gpt4video.t2v.nn.Activations;
import dev.gpt4video.t2v.nn.Conv2d;
import dev.gpt4video.t2v.nn.GroupNorm;
import dev.gpt4video.t2v.nn.Probe;
import dev.gpt4video.t2v.nn.ResnetBlock2D;
import dev.gpt4video.t2v.nn.Scope;
import dev.gpt4video.t2v.nn.SelfAttention2D;
import dev.gpt4video.t2v.nn.Upsample2D;
import dev.gpt4video.t2v.nn.Weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoding half of diffusers' {@code AutoencoderKL}: {@code post_quant_conv}, {@code decoder.conv_in},
 * mid block (resnet, single-head self-attention, resnet), up blocks (resnets, nearest x2 + conv),
 * GroupNorm, SiLU, {@code conv_out}. All norms eps 1e-6. Encoder tensors in the checkpoint are
 * accounted for but not loaded.
 *
 * <pre>{@code
 * AutoencoderKlDecoder vae = AutoencoderKlDecoder.load(dir.resolve("vae"), manager, DataType.FLOAT32, 0);
 * NDArray video = vae.decodeVideo(latents, 1); // (B, 4, F, h, w) latents -> (B, 3, F, 8h, 8w) in about [-1, 1]
 * }</pre>
 */
public final class AutoencoderKlDecoder {
    private static final double EPS = 1e-6;

    private final AutoencoderKlConfig config;
    private final Conv2d postQuantConv;
    private final Conv2d convIn;
    private final ResnetBlock2D midResnet0;
    private final SelfAttention2D midAttention;
    private final ResnetBlock2D midResnet1;
    private final List<UpBlock> up;
    private final GroupNorm normOut;
    private final Conv2d convOut;
    private final DataType computeType;

    private record UpBlock(List<ResnetBlock2D> resnets, Upsample2D upsampler) {
    }

    private AutoencoderKlDecoder(AutoencoderKlConfig config, Conv2d postQuantConv, Conv2d convIn, ResnetBlock2D midResnet0,
                                 SelfAttention2D midAttention, ResnetBlock2D midResnet1, List<UpBlock> up,
                                 GroupNorm normOut, Conv2d convOut, DataType computeType) {
        this.config = config;
        this.postQuantConv = postQuantConv;
        this.convIn = convIn;
        this.midResnet0 = midResnet0;
        this.midAttention = midAttention;
        this.midResnet1 = midResnet1;
        this.up = up;
        this.normOut = normOut;
        this.convOut = convOut;
        this.computeType = computeType;
    }

    /** Loads a diffusers {@code vae/} folder; encoder tensors must be present only if they are in the file. */
    public static AutoencoderKlDecoder load(Path dir, NDManager manager, DataType dataType, int attentionSliceSize) {
        AutoencoderKlConfig config = HfConfigReader.read(dir.resolve("config.json"), AutoencoderKlConfig.class);
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            WeightLoader loader = new WeightLoader(ckpt, manager, dataType, WeightLoader.Mode.STRICT)
                    .ignore("encoder\\..*").ignore("quant_conv\\..*");
            AutoencoderKlDecoder vae = load(Weights.from(loader), config, attentionSliceSize);
            loader.finish();
            return vae;
        }
    }

    public static AutoencoderKlDecoder load(Weights w, AutoencoderKlConfig c, int attentionSliceSize) {
        List<Integer> channels = c.blockOutChannels();
        int groups = c.normNumGroups();
        long top = channels.get(channels.size() - 1);
        long latent = c.latentChannels();
        Weights d = w.scope("decoder.");
        Weights mid = d.scope("mid_block.");
        List<UpBlock> up = new ArrayList<>();
        long out = top;
        for (int i = 0; i < channels.size(); i++) {
            long prev = out;
            out = channels.get(channels.size() - 1 - i);
            Weights b = d.scope("up_blocks." + i + ".");
            List<ResnetBlock2D> resnets = new ArrayList<>();
            for (int j = 0; j < c.layersPerBlock() + 1; j++) {
                resnets.add(ResnetBlock2D.load(b.scope("resnets." + j + "."), j == 0 ? prev : out, out, 0, groups, EPS, 1.0));
            }
            Upsample2D us = i < channels.size() - 1 ? Upsample2D.load(b.scope("upsamplers.0."), out) : null;
            up.add(new UpBlock(List.copyOf(resnets), us));
        }
        return new AutoencoderKlDecoder(c,
                Conv2d.load(w, "post_quant_conv", latent, latent, 1, 1, 0),
                Conv2d.load(d, "conv_in", latent, top, 3, 1, 1),
                ResnetBlock2D.load(mid.scope("resnets.0."), top, top, 0, groups, EPS, 1.0),
                SelfAttention2D.load(mid.scope("attentions.0."), top, groups, EPS, attentionSliceSize),
                ResnetBlock2D.load(mid.scope("resnets.1."), top, top, 0, groups, EPS, 1.0),
                List.copyOf(up),
                GroupNorm.load(d, "conv_norm_out", groups, channels.get(0), EPS),
                Conv2d.load(d, "conv_out", channels.get(0), c.outChannels(), 3, 1, 1),
                w.dataType());
    }

    public AutoencoderKlConfig config() {
        return config;
    }

    /** {@code vae.decode(z).sample}: (N, latent, h, w) to (N, out, h*s, w*s); {@code z} is already unscaled. */
    public NDArray decode(NDArray z) {
        return decode(z, Probe.NONE);
    }

    public NDArray decode(NDArray z, Probe probe) {
        try (Scope s = Scope.open(z)) {
            NDArray h = postQuantConv.forward(z.toType(computeType, false));
            probe.report("post_quant_conv", h);
            h = convIn.forward(h);
            probe.report("decoder.conv_in", h);
            h = midResnet0.forward(h, null);
            probe.report("decoder.mid_block.resnets.0", h);
            h = midAttention.forward(h);
            probe.report("decoder.mid_block.attentions.0", h);
            h = midResnet1.forward(h, null);
            probe.report("decoder.mid_block.resnets.1", h);
            probe.report("decoder.mid_block", h);
            for (int i = 0; i < up.size(); i++) {
                UpBlock block = up.get(i);
                for (int j = 0; j < block.resnets().size(); j++) {
                    h = block.resnets().get(j).forward(h, null);
                    probe.report("decoder.up_blocks." + i + ".resnets." + j, h);
                }
                if (block.upsampler() != null) {
                    h = block.upsampler().forward(h, 0, 0);
                    probe.report("decoder.up_blocks." + i + ".upsamplers.0", h);
                }
                probe.report("decoder.up_blocks." + i, h);
            }
            h = Activations.silu(normOut.forward(h));
            probe.report("decoder.conv_out.input", h);
            h = convOut.forward(h);
            probe.report("decoder.conv_out", h);
            return s.keep(h);
        }
    }

    /**
     * Decodes pipeline latents (B, latent, F, h, w): divides by {@code scaling_factor}, decodes
     * {@code framesPerBatch} frames at a time (1 bounds memory to one frame's activations; results
     * are the same) and returns (B, out, F, H, W) in float32.
     */
    public NDArray decodeVideo(NDArray latents, int framesPerBatch) {
        try (Scope s = Scope.open(latents)) {
            Shape shape = latents.getShape();
            long b = shape.get(0);
            long f = shape.get(2);
            // diffusers multiplies by 1 / scaling_factor (not a division): same rounding here.
            NDArray z = latents.mul((float) (1.0 / config.scalingFactor()))
                    .transpose(0, 2, 1, 3, 4).reshape(b * f, shape.get(1), shape.get(3), shape.get(4));
            long rows = b * f;
            long step = framesPerBatch <= 0 ? rows : framesPerBatch;
            NDList parts = new NDList();
            for (long start = 0; start < rows; start += step) {
                NDArray slice = z.get(new NDIndex(start + ":" + Math.min(rows, start + step)));
                parts.add(decode(slice).toType(DataType.FLOAT32, false));
                slice.close();
            }
            NDArray frames = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            Shape fs = frames.getShape();
            return s.keep(frames.reshape(b, f, fs.get(1), fs.get(2), fs.get(3)).transpose(0, 2, 1, 3, 4));
        }
    }
}
