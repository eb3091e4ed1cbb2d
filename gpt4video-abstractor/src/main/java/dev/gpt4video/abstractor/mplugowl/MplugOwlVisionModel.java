package dev.gpt4video.abstractor.mplugowl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.abstractor.VisionTower;
import dev.gpt4video.abstractor.nn.Attention;
import dev.gpt4video.abstractor.nn.HiddenActivation;
import dev.gpt4video.abstractor.nn.Scoped;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.checkpoint.WeightLoader;

import java.util.ArrayList;
import java.util.List;

/**
 * mPLUG-Owl's video ViT ({@code MplugOwlVisionModel} of {@code mplug_owl_video}): a CLIP-style ViT
 * whose layers first mix each patch with the same patch in the neighbouring frames (the local
 * temporal module, only when T > 1), then attend within the frame. Unlike Hugging Face CLIP, every
 * token of {@code last_hidden_state} is post-normed.
 *
 * <pre>{@code
 * MplugOwlVisionModel vit = MplugOwlVisionModel.load(loader, config.visionConfig());
 * NDArray features = vit.forward(pixels, false).lastHiddenState(); // [B,3,T,H,W] → [B,T,257,1024]
 * }</pre>
 */
public final class MplugOwlVisionModel implements VisionTower {
    private final MplugOwlVisionConfig config;
    private final MplugOwlWeights.Vision weights;
    private final HiddenActivation activation;
    private final DataType dataType;

    /**
     * Outputs for B videos of T frames (T = 1 for images).
     *
     * @param lastHiddenState {@code [B, T, tokens, D]}, every token post-normed
     * @param poolerOutput    {@code [B, D]}: post_layernorm of the mean over T of the post-normed class token
     *                        (the reference normalises twice; unused downstream)
     * @param embeddings      {@code [B, T, tokens, D]} after {@code pre_layernorm} (only when intermediates are kept)
     * @param temporalOutputs per layer, what the temporal module adds to the layer input (video, intermediates only)
     * @param layerOutputs    per layer, {@code [B, T, tokens, D]} (intermediates only)
     */
    public record Output(NDArray lastHiddenState, NDArray poolerOutput, NDArray embeddings,
                         List<NDArray> temporalOutputs, List<NDArray> layerOutputs) {
    }

    private MplugOwlVisionModel(MplugOwlVisionConfig config, MplugOwlWeights.Vision weights, DataType dataType) {
        this.config = config;
        this.weights = weights;
        this.activation = config.activation();
        this.dataType = dataType;
    }

    /** Loads {@code vision_model.*} through {@code root} (positioned at the checkpoint root). */
    public static MplugOwlVisionModel load(WeightLoader root, MplugOwlVisionConfig config) {
        return new MplugOwlVisionModel(config, MplugOwlWeights.loadVision(root, config), root.dataType());
    }

    public MplugOwlVisionConfig config() {
        return config;
    }

    /**
     * Runs videos {@code [B,3,T,H,W]} or images {@code [B,3,H,W]}. A 5-D input with T = 1 is
     * treated as images (the reference raises on it instead).
     */
    public Output forward(NDArray pixels, boolean keepIntermediates) {
        Shape s = pixels.getShape();
        int c = config.numChannels(), size = config.imageSize();
        boolean video = s.dimension() == 5;
        if (!(video || s.dimension() == 4) || s.get(1) != c || s.get(s.dimension() - 2) != size
                || s.get(s.dimension() - 1) != size) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "mPLUG-Owl vision input must be [B," + c + ",T,"
                    + size + "," + size + "] or [B," + c + "," + size + "," + size + "], got " + s);
        }
        long b = s.get(0), t = video ? s.get(2) : 1;
        NDList out = Scoped.apply(new NDList(pixels), in -> {
            NDArray x = in.get(0).toType(dataType, false);
            // 'b c t h w -> (b t) c h w', b-major like the reference
            NDArray frames = video ? x.transpose(0, 2, 1, 3, 4).reshape(b * t, c, size, size) : x;
            NDArray h = embed(frames).reshape(b, t, config.tokens(), config.hiddenSize());
            NDList temporal = new NDList();
            NDList layers = new NDList();
            NDArray embeddings = h;
            for (MplugOwlWeights.VisionLayer layer : weights.layers()) {
                NDList step = Scoped.apply(new NDList(h), hs -> layer(layer, hs.get(0), keepIntermediates));
                if (keepIntermediates) {
                    layers.add(step.get(0));
                    if (step.size() > 1) {
                        temporal.add(step.get(1));
                    }
                } else {
                    h.close();
                }
                h = step.get(0);
            }
            NDArray last = weights.postLayernorm().apply(h);
            NDArray pooled = weights.postLayernorm().apply(last.get(":, :, 0, :").mean(new int[] {1}));
            NDList result = new NDList(last, pooled);
            if (keepIntermediates) {
                result.add(embeddings);
                result.addAll(temporal);
                result.addAll(layers);
            }
            return result;
        });
        if (!keepIntermediates) {
            return new Output(out.get(0), out.get(1), null, List.of(), List.of());
        }
        int n = weights.layers().size();
        List<NDArray> temporal = t > 1 ? new ArrayList<>(out.subList(3, 3 + n)) : List.of();
        int first = 3 + temporal.size();
        return new Output(out.get(0), out.get(1), out.get(2), temporal, new ArrayList<>(out.subList(first, first + n)));
    }

    private NDArray embed(NDArray frames) {
        long n = frames.getShape().get(0);
        int c = config.numChannels(), g = config.gridSize(), p = config.patchSize();
        NDArray patches = frames.reshape(n, c, g, p, g, p).transpose(0, 2, 4, 1, 3, 5)
                .reshape(n, (long) g * g, (long) c * p * p);
        NDArray tokens = weights.patchEmbed().apply(patches);
        NDArray cls = Scoped.into(weights.clsToken().broadcast(n, 1, config.hiddenSize()), tokens);
        NDArray embeddings = NDArrays.concat(new NDList(cls, tokens), 1).add(weights.positionEmbedding());
        return weights.preLayernorm().apply(embeddings);
    }

    /** One layer on {@code [B,T,L,D]}; returns the output and, when asked, the temporal module's output. */
    private NDList layer(MplugOwlWeights.VisionLayer l, NDArray x, boolean keepTemporal) {
        Shape s = x.getShape();
        long b = s.get(0), t = s.get(1), len = s.get(2), d = s.get(3);
        NDArray temporal = null;
        if (t > 1) {
            temporal = temporal(l.temporal(), x);
            x = x.add(temporal);
        }
        NDArray h = x.reshape(b * t, len, d);
        int heads = config.numAttentionHeads(), hd = config.headDim();
        // Head-interleaved fusion: channel h·3d + j·d + i, so split heads first, then q/k/v.
        NDArray qkv = l.queryKeyValue().apply(l.inputLayernorm().apply(h))
                .reshape(b * t, len, heads, 3, hd).transpose(3, 0, 2, 1, 4);
        NDArray ctx = Attention.scaledDotProduct(qkv.get(0), qkv.get(1), qkv.get(2), (float) (1.0 / Math.sqrt(hd)), false);
        NDArray r = h.add(l.dense().apply(Attention.mergeHeads(ctx)));
        NDArray out = r.add(l.fc2().apply(activation.apply(l.fc1().apply(l.postAttentionLayernorm().apply(r)))))
                .reshape(b, t, len, d);
        return keepTemporal && temporal != null ? new NDList(out, temporal) : new NDList(out);
    }

    /**
     * What the temporal module adds to {@code x [B,T,L,D]}: the class token unchanged (so it doubles
     * in every layer, as in the reference, where the module returns the original cls and the layer
     * adds it residually) and, for patches, up(QuickGELU(conv_t(down(ln(patches))))).
     */
    private NDArray temporal(MplugOwlWeights.Temporal m, NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0), t = s.get(1), len = s.get(2);
        NDArray cls = x.get(":, :, 0:1, :");
        NDArray p = m.downProj().apply(m.ln().apply(x.get(":, :, 1:, :")));
        // Depthwise conv over time, kernel 3, zero padding 1: out[t] = w0·p[t−1] + w1·p[t] + w2·p[t+1] + b.
        NDArray zero = p.getManager().zeros(new Shape(b, 1, len - 1, p.getShape().get(3)), p.getDataType());
        NDArray padded = NDArrays.concat(new NDList(zero, p, zero), 1);
        NDArray conv = padded.get(new NDIndex(":, 0:{}", t)).mul(m.convTaps().get(0))
                .add(padded.get(new NDIndex(":, 1:{}", t + 1)).mul(m.convTaps().get(1)))
                .add(padded.get(new NDIndex(":, 2:{}", t + 2)).mul(m.convTaps().get(2)))
                .add(m.convBias());
        NDArray up = m.upProj().apply(HiddenActivation.QUICK_GELU.apply(conv));
        return NDArrays.concat(new NDList(cls, up), 2);
    }

    @Override
    public NDArray frameFeatures(NDArray pixels) {
        return Scoped.apply(pixels, x -> forward(x, false).lastHiddenState());
    }

    @Override
    public int hiddenSize() {
        return config.hiddenSize();
    }

    @Override
    public int imageSize() {
        return config.imageSize();
    }

    @Override
    public int tokensPerFrame() {
        return config.tokens();
    }
}
