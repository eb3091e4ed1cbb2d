package dev.gpt4video.t2v.zeroscope;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.config.HfConfigReader;
import dev.gpt4video.t2v.nn.Activations;
import dev.gpt4video.t2v.nn.Conv2d;
import dev.gpt4video.t2v.nn.Downsample2D;
import dev.gpt4video.t2v.nn.GroupNorm;
import dev.gpt4video.t2v.nn.Probe;
import dev.gpt4video.t2v.nn.ResnetBlock2D;
import dev.gpt4video.t2v.nn.Scope;
import dev.gpt4video.t2v.nn.Timesteps;
import dev.gpt4video.t2v.nn.Transformer2DModel;
import dev.gpt4video.t2v.nn.Upsample2D;
import dev.gpt4video.t2v.nn.Weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * ZeroScope's (ModelScope's) video UNet with diffusers v0.24 {@code UNet3DConditionModel} names.
 * Frames are folded into the batch, (B*F, C, h, w), for every 2-D operation; temporal convolutions
 * and temporal transformers unfold them. See docs/t2v.md for the block sequence.
 *
 * <pre>{@code
 * UNet3DConditionModel unet = UNet3DConditionModel.load(dir.resolve("unet"), manager, DataType.FLOAT32, 0);
 * NDArray eps = unet.forward(latents, 981, textContext); // (B, 4, F, h, w) -> same shape
 * }</pre>
 */
public final class UNet3DConditionModel {
    private final UNet3DConfig config;
    private final Timesteps time;
    private final Conv2d convIn;
    private final TransformerTemporalModel transformerIn;
    private final List<DownBlock> down;
    private final List<Layer3D> mid;
    private final List<UpBlock> up;
    private final GroupNorm normOut;
    private final Conv2d convOut;
    /** The weights' dtype (float16 on GPU, float32 on CPU); inputs are cast to it. */
    private final DataType computeType;

    private record DownBlock(List<Layer3D> layers, Downsample2D downsampler) {
    }

    private record UpBlock(List<Layer3D> layers, Upsample2D upsampler) {
    }

    private UNet3DConditionModel(UNet3DConfig config, Timesteps time, Conv2d convIn, TransformerTemporalModel transformerIn,
                                 List<DownBlock> down, List<Layer3D> mid, List<UpBlock> up, GroupNorm normOut,
                                 Conv2d convOut, DataType computeType) {
        this.config = config;
        this.time = time;
        this.convIn = convIn;
        this.transformerIn = transformerIn;
        this.down = down;
        this.mid = mid;
        this.up = up;
        this.normOut = normOut;
        this.convOut = convOut;
        this.computeType = computeType;
    }

    /** Loads a diffusers {@code unet/} folder strictly (every tensor used, shapes checked). */
    public static UNet3DConditionModel load(Path dir, NDManager manager, DataType dataType, int attentionSliceSize) {
        UNet3DConfig config = HfConfigReader.read(dir.resolve("config.json"), UNet3DConfig.class);
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            WeightLoader loader = new WeightLoader(ckpt, manager, dataType, WeightLoader.Mode.STRICT);
            UNet3DConditionModel unet = load(Weights.from(loader), config, attentionSliceSize);
            loader.finish();
            return unet;
        }
    }

    /**
     * Builds the model from {@code w}.
     *
     * @param attentionSliceSize at most this many (batch x head) attention matrices at once (0 = all)
     */
    public static UNet3DConditionModel load(Weights w, UNet3DConfig c, int attentionSliceSize) {
        List<Integer> channels = c.blockOutChannels();
        int levels = c.levels();
        int groups = c.normNumGroups();
        double eps = c.normEps();
        long temb = c.timeEmbedDim();
        long cross = c.crossAttentionDim();
        int slice = attentionSliceSize;

        Timesteps time = Timesteps.load(w.scope("time_embedding."), c.timeProjChannels(), temb, true, 0);
        Conv2d convIn = Conv2d.load(w, "conv_in", c.inChannels(), channels.get(0), 3, 1, 1);
        int inHeadDim = c.attentionHeadDim().get(0);
        TransformerTemporalModel transformerIn = TransformerTemporalModel.load(w.scope("transformer_in."),
                channels.get(0), 8, inHeadDim, groups, slice);

        List<DownBlock> down = new ArrayList<>();
        long out = channels.get(0);
        for (int i = 0; i < levels; i++) {
            long in = out;
            out = channels.get(i);
            boolean attn = c.downBlockTypes().get(i).equals(UNet3DConfig.CROSS_DOWN);
            Weights b = w.scope("down_blocks." + i + ".");
            List<Layer3D> layers = new ArrayList<>();
            for (int j = 0; j < c.layersPerBlock(); j++) {
                layers.add(layer(b, j, j == 0 ? in : out, out, temb, attn, c.headsParameter(i), cross, groups, eps, slice));
            }
            Downsample2D ds = i < levels - 1
                    ? Downsample2D.load(b.scope("downsamplers.0."), out, c.downsamplePadding()) : null;
            down.add(new DownBlock(List.copyOf(layers), ds));
        }

        long midC = channels.get(levels - 1);
        int midHeads = c.headsParameter(levels - 1);
        Weights m = w.scope("mid_block.");
        double midScale = c.midBlockScaleFactor();
        List<Layer3D> mid = List.of(
                new Layer3D(0, ResnetBlock2D.load(m.scope("resnets.0."), midC, midC, temb, groups, eps, midScale),
                        TemporalConvLayer.load(m.scope("temp_convs.0."), midC, groups, 1e-5),
                        Transformer2DModel.load(m.scope("attentions.0."), midC, (int) midC / midHeads, midHeads, cross, groups, slice),
                        TransformerTemporalModel.load(m.scope("temp_attentions.0."), midC, (int) midC / midHeads, midHeads, groups, slice)),
                new Layer3D(1, ResnetBlock2D.load(m.scope("resnets.1."), midC, midC, temb, groups, eps, midScale),
                        TemporalConvLayer.load(m.scope("temp_convs.1."), midC, groups, 1e-5), null, null));

        List<UpBlock> up = new ArrayList<>();
        long upOut = channels.get(levels - 1);
        for (int i = 0; i < levels; i++) {
            int level = levels - 1 - i;
            long prevOut = upOut;
            upOut = channels.get(level);
            long skipIn = channels.get(Math.max(level - 1, 0));
            boolean attn = c.upBlockTypes().get(i).equals(UNet3DConfig.CROSS_UP);
            Weights b = w.scope("up_blocks." + i + ".");
            int layerCount = c.layersPerBlock() + 1;
            List<Layer3D> layers = new ArrayList<>();
            for (int j = 0; j < layerCount; j++) {
                long skip = j == layerCount - 1 ? skipIn : upOut;
                long resIn = (j == 0 ? prevOut : upOut) + skip;
                layers.add(layer(b, j, resIn, upOut, temb, attn, c.headsParameter(level), cross, groups, eps, slice));
            }
            Upsample2D us = i < levels - 1 ? Upsample2D.load(b.scope("upsamplers.0."), upOut) : null;
            up.add(new UpBlock(List.copyOf(layers), us));
        }

        return new UNet3DConditionModel(c, time, convIn, transformerIn, List.copyOf(down), mid, List.copyOf(up),
                GroupNorm.load(w, "conv_norm_out", groups, channels.get(0), eps),
                Conv2d.load(w, "conv_out", channels.get(0), c.outChannels(), 3, 1, 1), w.dataType());
    }

    private static Layer3D layer(Weights block, int j, long in, long out, long temb, boolean attn, int headsParam,
                                 long cross, int groups, double eps, int slice) {
        int heads = (int) (out / headsParam);
        return new Layer3D(j,
                ResnetBlock2D.load(block.scope("resnets." + j + "."), in, out, temb, groups, eps, 1.0),
                TemporalConvLayer.load(block.scope("temp_convs." + j + "."), out, groups, 1e-5),
                attn ? Transformer2DModel.load(block.scope("attentions." + j + "."), out, heads, headsParam, cross, groups, slice) : null,
                attn ? TransformerTemporalModel.load(block.scope("temp_attentions." + j + "."), out, heads, headsParam, groups, slice) : null);
    }

    public UNet3DConfig config() {
        return config;
    }

    /** The noise prediction for {@code sample} (B, C, F, h, w) at {@code timestep}, given {@code context} (B, L, D). */
    public NDArray forward(NDArray sample, long timestep, NDArray context) {
        return forward(sample, timestep, context, Probe.NONE);
    }

    /** Like {@link #forward(NDArray, long, NDArray)}, reporting diffusers-named intermediates to {@code probe}. */
    public NDArray forward(NDArray sample, long timestep, NDArray context, Probe probe) {
        Shape in = sample.getShape();
        if (in.dimension() != 5 || in.get(1) != config.inChannels()) {
            throw new IllegalArgumentException("sample must be (B, " + config.inChannels() + ", F, h, w), got " + in);
        }
        long batch = in.get(0);
        int frames = (int) in.get(2);
        long height = in.get(3);
        long width = in.get(4);
        if (context.getShape().get(0) != batch || context.getShape().get(2) != config.crossAttentionDim()) {
            throw new IllegalArgumentException("context must be (" + batch + ", L, " + config.crossAttentionDim()
                    + "), got " + context.getShape());
        }
        try (Scope s = Scope.open(sample, context)) {
            DataType type = computeType;
            long[] steps = new long[(int) batch];
            java.util.Arrays.fill(steps, timestep);
            NDArray tProj = time.project(s.manager(), steps, type);
            probe.report("time_proj", tProj);
            NDArray emb = time.embed(tProj);
            probe.report("time_embedding", emb);
            // Row b*F+f belongs to sample b: repeat_interleave, not tile.
            emb = emb.repeat(0, frames);
            NDArray ctx = context.toType(type, false).repeat(0, frames);

            NDArray h = sample.toType(type, false).transpose(0, 2, 1, 3, 4).reshape(batch * frames, in.get(1), height, width);
            h = convIn.forward(h);
            probe.report("conv_in", h);
            h = transformerIn.forward(h, frames);
            probe.report("transformer_in", h);

            List<NDArray> skips = new ArrayList<>();
            skips.add(h);
            for (int i = 0; i < down.size(); i++) {
                DownBlock block = down.get(i);
                Probe p = probe.under("down_blocks." + i + ".");
                int first = skips.size();
                for (Layer3D layer : block.layers()) {
                    h = layer.forward(h, emb, ctx, frames, p);
                    skips.add(h);
                }
                if (block.downsampler() != null) {
                    h = block.downsampler().forward(h);
                    p.report("downsamplers.0", h);
                    skips.add(h);
                }
                probe.report("down_blocks." + i, h);
                for (int k = first; k < skips.size(); k++) {
                    probe.report("down_blocks." + i + ".res_samples." + (k - first), skips.get(k));
                }
            }

            Probe mp = probe.under("mid_block.");
            for (Layer3D layer : mid) {
                h = layer.forward(h, emb, ctx, frames, mp);
            }
            probe.report("mid_block", h);

            // Odd latent sizes: upsample to each skip's exact size instead of doubling.
            long factor = 1L << (up.size() - 1);
            boolean forwardSize = height % factor != 0 || width % factor != 0;
            for (int i = 0; i < up.size(); i++) {
                UpBlock block = up.get(i);
                Probe p = probe.under("up_blocks." + i + ".");
                for (Layer3D layer : block.layers()) {
                    NDArray skip = skips.remove(skips.size() - 1);
                    h = layer.forward(h.concat(skip, 1), emb, ctx, frames, p);
                }
                if (block.upsampler() != null) {
                    long th = 0;
                    long tw = 0;
                    if (forwardSize) {
                        Shape target = skips.get(skips.size() - 1).getShape();
                        th = target.get(2);
                        tw = target.get(3);
                    }
                    h = block.upsampler().forward(h, th, tw);
                    p.report("upsamplers.0", h);
                }
                probe.report("up_blocks." + i, h);
            }

            h = Activations.silu(normOut.forward(h));
            probe.report("conv_out.input", h);
            h = convOut.forward(h);
            probe.report("conv_out", h);
            NDArray out = h.reshape(batch, frames, h.getShape().get(1), height, width).transpose(0, 2, 1, 3, 4);
            return s.keep(out.toType(sample.getDataType(), false));
        }
    }
}
