package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.t2v.nn.Activations;
import dev.gpt4video.t2v.nn.Conv2d;
import dev.gpt4video.t2v.nn.Downsample2D;
import dev.gpt4video.t2v.nn.GroupNorm;
import dev.gpt4video.t2v.nn.ResnetBlock2D;
import dev.gpt4video.t2v.nn.Scope;
import dev.gpt4video.t2v.nn.Timesteps;
import dev.gpt4video.t2v.nn.Transformer2DModel;
import dev.gpt4video.t2v.nn.Upsample2D;
import dev.gpt4video.t2v.nn.Weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * VideoCrafter1's video UNet (lvdm {@code openaimodel3d.UNetModel} with {@code temporal_conv} off):
 * ZeroScope's macro topology without temporal convolutions, {@code init_attn} after the input conv,
 * relative-position temporal attention, and (1024 model) an fps embedding added to the time
 * embedding. Frames are folded into the batch, (B*F, C, h, w), for every 2-D operation.
 *
 * <p>Blocks are addressed with lvdm's numbering ({@code input_blocks.k.m}, {@code middle_block.m},
 * {@code output_blocks.k.m}); the shared blocks ask for diffusers leaf names, which
 * {@link VideoCrafterKeys} maps to lvdm's.
 *
 * <pre>{@code
 * NDArray eps = unet.forward(latents, 981, context, 28); // (B, 4, F, h, w) -> same shape
 * }</pre>
 */
public final class VideoCrafterUNet {
    private final VideoCrafterConfig config;
    private final Timesteps time;
    private final Timesteps fps;
    private final Conv2d convIn;
    private final TemporalTransformer initAttn;
    private final List<Layer> input;
    private final Layer midFirst;
    private final Layer midSecond;
    private final List<Layer> output;
    private final GroupNorm normOut;
    private final Conv2d convOut;
    private final DataType computeType;

    /**
     * One entry of lvdm's input/output block lists: a ResBlock with optional spatial and temporal
     * transformers, then an optional down- or upsampler (or, for a lone downsampler, only that).
     */
    private record Layer(ResnetBlock2D resnet, Transformer2DModel spatial, TemporalTransformer temporal,
                         Downsample2D down, Upsample2D up) {
        NDArray forward(NDArray h, NDArray emb, NDArray ctx, int frames) {
            if (resnet != null) {
                h = resnet.forward(h, emb);
            }
            if (spatial != null) {
                h = spatial.forward(h, ctx);
                h = temporal.forward(h, frames);
            }
            if (down != null) {
                h = down.forward(h);
            }
            if (up != null) {
                h = up.forward(h, 0, 0);
            }
            return h;
        }
    }

    private VideoCrafterUNet(VideoCrafterConfig config, Timesteps time, Timesteps fps, Conv2d convIn,
                             TemporalTransformer initAttn, List<Layer> input, Layer midFirst, Layer midSecond,
                             List<Layer> output, GroupNorm normOut, Conv2d convOut, DataType computeType) {
        this.config = config;
        this.time = time;
        this.fps = fps;
        this.convIn = convIn;
        this.initAttn = initAttn;
        this.input = input;
        this.midFirst = midFirst;
        this.midSecond = midSecond;
        this.output = output;
        this.normOut = normOut;
        this.convOut = convOut;
        this.computeType = computeType;
    }

    /**
     * Builds the UNet from {@code w}, whose names are relative to {@link VideoCrafterKeys#UNET} in
     * the component naming; wrap a checkpoint with {@link #remapped} first.
     */
    public static VideoCrafterUNet load(Weights w, VideoCrafterConfig c, int attentionSliceSize) {
        int groups = c.normNumGroups();
        double eps = 1e-5;
        long temb = c.timeEmbedDim();
        long cross = c.contextDim();
        int headDim = c.numHeadChannels();
        int tl = c.temporalLength();
        int slice = attentionSliceSize;
        int r = c.numResBlocks();

        Timesteps time = Timesteps.load(w.scope("time_embedding."), c.modelChannels(), temb, true, 0);
        Timesteps fps = c.hasFpsCondition()
                ? Timesteps.load(w.scope("fps_embedding."), c.modelChannels(), temb, true, 0) : null;
        Conv2d convIn = Conv2d.load(w, "conv_in", c.inChannels(), c.modelChannels(), 3, 1, 1);
        TemporalTransformer initAttn = TemporalTransformer.load(w.scope("init_attn.0."), c.modelChannels(),
                c.initAttnHeads(), headDim, groups, tl);

        List<Long> skipChannels = new ArrayList<>();
        skipChannels.add((long) c.modelChannels());
        List<Layer> input = new ArrayList<>();
        long ch = c.modelChannels();
        int k = 1;
        for (int level = 0; level < c.levels(); level++) {
            long out = c.channels(level);
            for (int j = 0; j < r; j++) {
                input.add(layer(w.scope("input_blocks." + k + "."), ch, out, temb, c.attentionAt(level), cross, headDim,
                        groups, eps, tl, slice));
                ch = out;
                skipChannels.add(ch);
                k++;
            }
            if (level < c.levels() - 1) {
                Downsample2D ds = Downsample2D.load(w.scope("input_blocks." + k + ".0."), ch, 1);
                input.add(new Layer(null, null, null, ds, null));
                skipChannels.add(ch);
                k++;
            }
        }

        Weights m = w.scope("middle_block.");
        int midHeads = (int) (ch / headDim);
        Layer midFirst = new Layer(ResnetBlock2D.load(m.scope("0."), ch, ch, temb, groups, eps, 1.0),
                Transformer2DModel.load(m.scope("1."), ch, midHeads, headDim, cross, groups, slice),
                TemporalTransformer.load(m.scope("2."), ch, midHeads, headDim, groups, tl), null, null);
        Layer midSecond = new Layer(ResnetBlock2D.load(m.scope("3."), ch, ch, temb, groups, eps, 1.0),
                null, null, null, null);

        List<Layer> output = new ArrayList<>();
        k = 0;
        for (int level = c.levels() - 1; level >= 0; level--) {
            long out = c.channels(level);
            for (int j = 0; j <= r; j++) {
                long skip = skipChannels.remove(skipChannels.size() - 1);
                boolean attn = c.attentionAt(level);
                Weights b = w.scope("output_blocks." + k + ".");
                Layer l = layer(b, ch + skip, out, temb, attn, cross, headDim, groups, eps, tl, slice);
                ch = out;
                if (level > 0 && j == r) {
                    // The upsampler follows the block's other modules: index 1 without attention, 3 with.
                    Upsample2D us = Upsample2D.load(b.scope((attn ? 3 : 1) + "."), ch);
                    l = new Layer(l.resnet(), l.spatial(), l.temporal(), null, us);
                }
                output.add(l);
                k++;
            }
        }
        return new VideoCrafterUNet(c, time, fps, convIn, initAttn, List.copyOf(input), midFirst, midSecond,
                List.copyOf(output), GroupNorm.load(w, "conv_norm_out", groups, c.modelChannels(), eps),
                Conv2d.load(w, "conv_out", c.modelChannels(), c.inChannels(), 3, 1, 1), w.dataType());
    }

    private static Layer layer(Weights b, long in, long out, long temb, boolean attn, long cross, int headDim, int groups,
                               double eps, int tl, int slice) {
        int heads = (int) (out / headDim);
        return new Layer(ResnetBlock2D.load(b.scope("0."), in, out, temb, groups, eps, 1.0),
                attn ? Transformer2DModel.load(b.scope("1."), out, heads, headDim, cross, groups, slice) : null,
                attn ? TemporalTransformer.load(b.scope("2."), out, heads, headDim, groups, tl) : null,
                null, null);
    }

    /** {@code checkpointWeights} (full original names) seen through the UNet's key remap. */
    public static Weights remapped(Weights checkpointWeights) {
        return new RemappedWeights(checkpointWeights.scope(VideoCrafterKeys.UNET), VideoCrafterKeys::unet);
    }

    public VideoCrafterConfig config() {
        return config;
    }

    /**
     * The noise prediction for {@code sample} (B, C, F, h, w) at {@code timestep} given
     * {@code context} (B, L, contextDim); {@code fpsCondition} is used only by fps-conditioned models.
     * h and w must be divisible by 2^(levels-1) (lvdm upsamples by exactly 2).
     */
    public NDArray forward(NDArray sample, long timestep, NDArray context, int fpsCondition) {
        Shape in = sample.getShape();
        if (in.dimension() != 5 || in.get(1) != config.inChannels()) {
            throw new IllegalArgumentException("sample must be (B, " + config.inChannels() + ", F, h, w), got " + in);
        }
        long batch = in.get(0);
        int frames = (int) in.get(2);
        long height = in.get(3);
        long width = in.get(4);
        long factor = 1L << (config.levels() - 1);
        if (height % factor != 0 || width % factor != 0) {
            throw new IllegalArgumentException("latent size " + height + "x" + width + " is not divisible by " + factor);
        }
        if (context.getShape().get(0) != batch || context.getShape().get(2) != config.contextDim()) {
            throw new IllegalArgumentException("context must be (" + batch + ", L, " + config.contextDim()
                    + "), got " + context.getShape());
        }
        try (Scope s = Scope.open(sample, context)) {
            long[] steps = new long[(int) batch];
            Arrays.fill(steps, timestep);
            NDArray emb = time.embed(time.project(s.manager(), steps, computeType));
            if (fps != null) {
                long[] rates = new long[(int) batch];
                Arrays.fill(rates, fpsCondition);
                emb = emb.add(fps.embed(fps.project(s.manager(), rates, computeType)));
            }
            // Row b*F+f belongs to sample b: repeat_interleave, not tile.
            emb = emb.repeat(0, frames);
            NDArray ctx = context.toType(computeType, false).repeat(0, frames);

            NDArray h = sample.toType(computeType, false).transpose(0, 2, 1, 3, 4)
                    .reshape(batch * frames, in.get(1), height, width);
            h = convIn.forward(h);
            h = initAttn.forward(h, frames);
            List<NDArray> skips = new ArrayList<>();
            skips.add(h);
            for (Layer l : input) {
                h = l.forward(h, emb, ctx, frames);
                skips.add(h);
            }
            h = midFirst.forward(h, emb, ctx, frames);
            h = midSecond.forward(h, emb, ctx, frames);
            for (Layer l : output) {
                h = l.forward(h.concat(skips.remove(skips.size() - 1), 1), emb, ctx, frames);
            }
            h = convOut.forward(Activations.silu(normOut.forward(h)));
            NDArray out = h.reshape(batch, frames, h.getShape().get(1), height, width).transpose(0, 2, 1, 3, 4);
            return s.keep(out.toType(sample.getDataType(), false));
        }
    }
}
