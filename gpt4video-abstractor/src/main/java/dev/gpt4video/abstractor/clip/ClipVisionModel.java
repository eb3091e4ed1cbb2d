package dev.gpt4video.abstractor.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.abstractor.VisionTower;
import dev.gpt4video.abstractor.nn.Attention;
import dev.gpt4video.abstractor.nn.HiddenActivation;
import dev.gpt4video.abstractor.nn.Scoped;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.WeightLoader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLIP ViT image encoder with Hugging Face semantics: {@code last_hidden_state} is the last
 * layer's output (not post-normed), {@code pooler_output} is {@code post_layernorm} of the class
 * token, {@code image_embeds} its projection (not L2-normalised).
 *
 * <pre>{@code
 * WeightLoader w = new WeightLoader(ckpt, modelManager, DataType.FLOAT32, WeightLoader.Mode.STRICT);
 * ClipVisionModel clip = ClipVisionModel.load(w, ClipVisionConfig.read(dir.resolve("config.json")));
 * w.finish();
 * ClipVisionModel.Output out = clip.forward(pixels, false); // pixels [N,3,H,W]
 * }</pre>
 */
public final class ClipVisionModel implements VisionTower {
    private final ClipVisionConfig config;
    private final ClipVisionWeights weights;
    private final HiddenActivation activation;
    private final DataType dataType;

    /**
     * Outputs for N images.
     *
     * @param lastHiddenState    {@code [N, tokens, D]}
     * @param poolerOutput       {@code [N, D]}
     * @param imageEmbeds        {@code [N, projection_dim]}, null without a projection
     * @param embeddings         {@code [N, tokens, D]} before {@code pre_layrnorm} (only when intermediates are kept)
     * @param preLayernormOutput {@code [N, tokens, D]} (only when intermediates are kept)
     * @param layerOutputs       each encoder layer's output (empty unless intermediates are kept)
     */
    public record Output(NDArray lastHiddenState, NDArray poolerOutput, NDArray imageEmbeds, NDArray embeddings,
                         NDArray preLayernormOutput, List<NDArray> layerOutputs) {
    }

    private ClipVisionModel(ClipVisionConfig config, ClipVisionWeights weights, DataType dataType) {
        this.config = config;
        this.weights = weights;
        this.activation = config.activation();
        this.dataType = dataType;
    }

    /** Loads the weights through {@code root} (positioned at the checkpoint root); call {@code finish()} after. */
    public static ClipVisionModel load(WeightLoader root, ClipVisionConfig config) {
        return new ClipVisionModel(config, ClipVisionWeights.load(root, config), root.dataType());
    }

    /**
     * Loads a CLIP vision checkpoint folder ({@code config.json} + safetensors) strictly into
     * {@code manager}: every tensor must be used, except {@code position_ids} and, for a full
     * {@code CLIPModel}, the text half.
     */
    public static ClipVisionModel load(Path dir, NDManager manager, DataType dataType) {
        ClipVisionConfig config = ClipVisionConfig.read(dir.resolve("config.json"));
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            WeightLoader w = new WeightLoader(ckpt, manager, dataType, WeightLoader.Mode.STRICT);
            if (config.architectures().contains("CLIPModel")) {
                w.ignore(ClipVisionWeights.TEXT_HALF);
            }
            ClipVisionModel model = load(w, config);
            w.finish();
            return model;
        }
    }

    public ClipVisionConfig config() {
        return config;
    }

    /** Runs images {@code [N, C, H, W]}; with {@code keepIntermediates} also returns every stage. */
    public Output forward(NDArray pixels, boolean keepIntermediates) {
        Shape s = pixels.getShape();
        if (s.dimension() != 4 || s.get(1) != config.numChannels() || s.get(2) != config.imageSize()
                || s.get(3) != config.imageSize()) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "CLIP vision input must be [N, "
                    + config.numChannels() + ", " + config.imageSize() + ", " + config.imageSize() + "], got " + s);
        }
        NDList out = Scoped.apply(new NDList(pixels), in -> {
            NDList kept = new NDList();
            NDArray embeddings = embed(in.get(0).toType(dataType, false));
            NDArray h = weights.preLayernorm().apply(embeddings);
            if (keepIntermediates) {
                kept.add(embeddings);
                kept.add(h);
            }
            for (ClipVisionWeights.Layer layer : weights.layers()) {
                NDArray next = Scoped.apply(h, x -> layer(layer, x));
                if (keepIntermediates) {
                    kept.add(next);
                } else {
                    h.close();
                }
                h = next;
            }
            NDArray pooled = weights.postLayernorm().apply(h.get(":, 0, :"));
            NDArray projected = weights.visualProjection() == null ? null : weights.visualProjection().apply(pooled);
            NDList result = new NDList(h, pooled);
            if (projected != null) {
                result.add(projected);
            }
            result.addAll(kept);
            return result;
        });
        int i = 0;
        NDArray last = out.get(i++);
        NDArray pooled = out.get(i++);
        NDArray projected = weights.visualProjection() == null ? null : out.get(i++);
        if (!keepIntermediates) {
            return new Output(last, pooled, projected, null, null, List.of());
        }
        NDArray embeddings = out.get(i++);
        NDArray pre = out.get(i++);
        List<NDArray> layers = new ArrayList<>(out.subList(i, out.size()));
        return new Output(last, pooled, projected, embeddings, pre, layers);
    }

    /** Patch embedding as one matrix product over unfolded patches, then class token and positions. */
    private NDArray embed(NDArray x) {
        long n = x.getShape().get(0);
        int c = config.numChannels(), g = config.gridSize(), p = config.patchSize();
        // [N,C,g·p,g·p] → [N, g·g, C·p·p] with patches row-major and each patch laid out (c, y, x) like the conv weight
        NDArray patches = x.reshape(n, c, g, p, g, p).transpose(0, 2, 4, 1, 3, 5).reshape(n, (long) g * g, (long) c * p * p);
        NDArray tokens = weights.patchEmbedding().apply(patches);
        NDArray cls = Scoped.into(weights.classEmbedding().broadcast(n, 1, config.hiddenSize()), tokens);
        return NDArrays.concat(new NDList(cls, tokens), 1).add(weights.positionEmbedding());
    }

    private NDArray layer(ClipVisionWeights.Layer l, NDArray h) {
        long n = h.getShape().get(0), len = h.getShape().get(1);
        int heads = config.numAttentionHeads(), hd = config.headDim();
        NDArray qkv = l.qkv().apply(l.layerNorm1().apply(h)).reshape(n, len, 3, heads, hd).transpose(2, 0, 3, 1, 4);
        NDArray ctx = Attention.scaledDotProduct(qkv.get(0), qkv.get(1), qkv.get(2), (float) (1.0 / Math.sqrt(hd)), true);
        NDArray r = h.add(l.outProj().apply(Attention.mergeHeads(ctx)));
        return r.add(l.fc2().apply(activation.apply(l.fc1().apply(l.layerNorm2().apply(r)))));
    }

    /** Each image as a one-frame video: {@code last_hidden_state} as {@code [B, T, tokens, D]}. */
    @Override
    public NDArray frameFeatures(NDArray pixels) {
        Shape s = pixels.getShape();
        if (s.dimension() == 4) {
            return Scoped.apply(pixels, x -> {
                Output o = forward(x, false);
                return o.lastHiddenState().expandDims(1);
            });
        }
        if (s.dimension() != 5) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "pixels must be [B,3,T,H,W] or [B,3,H,W], got " + s);
        }
        long b = s.get(0), t = s.get(2);
        return Scoped.apply(pixels, x -> {
            NDArray frames = x.transpose(0, 2, 1, 3, 4).reshape(b * t, s.get(1), s.get(3), s.get(4));
            NDArray last = forward(frames, false).lastHiddenState();
            return last.reshape(b, t, last.getShape().get(1), last.getShape().get(2));
        });
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
