package dev.gpt4video.safety.sdchecker;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import dev.gpt4video.core.checkpoint.WeightLoader;

import java.util.ArrayList;
import java.util.List;

/**
 * A self-contained HF {@code CLIPVisionModel} forward (DJL, float32) for the safety checker:
 * patch conv, class token + positions, {@code pre_layrnorm}, pre-norm encoder layers with
 * quick_gelu MLPs, {@code post_layernorm} of the class token. Tensor names are HF's, relative to
 * the loader's scope (e.g. {@code vision_model.vision_model.} in the safety checker).
 */
public final class MinimalClipVisionTower implements ClipPooledEncoder {
    private record Layer(NDArray ln1w, NDArray ln1b, NDArray qw, NDArray qb, NDArray kw, NDArray kb, NDArray vw,
                         NDArray vb, NDArray ow, NDArray ob, NDArray ln2w, NDArray ln2b, NDArray fc1w, NDArray fc1b,
                         NDArray fc2w, NDArray fc2b) {
    }

    private final ClipVisionSettings s;
    private final NDManager manager;
    private final NDArray patch;
    private final NDArray cls;
    private final NDArray positions;
    private final NDArray preW;
    private final NDArray preB;
    private final List<Layer> layers = new ArrayList<>();
    private final NDArray postW;
    private final NDArray postB;

    /** Loads from {@code w} (its manager owns the arrays; closing the tower closes that manager). */
    public MinimalClipVisionTower(ClipVisionSettings s, WeightLoader w) {
        this.s = s;
        this.manager = w.manager();
        int h = s.hiddenSize();
        int f = s.intermediateSize();
        patch = w.get("embeddings.patch_embedding.weight", h, 3, s.patchSize(), s.patchSize());
        cls = w.get("embeddings.class_embedding", h);
        positions = w.get("embeddings.position_embedding.weight", s.tokens(), h);
        if (w.has("embeddings.position_ids")) {
            w.markConsumed("embeddings.position_ids");
        }
        preW = w.get("pre_layrnorm.weight", h);
        preB = w.get("pre_layrnorm.bias", h);
        for (int i = 0; i < s.layers(); i++) {
            WeightLoader l = w.scope("encoder.layers." + i + ".");
            layers.add(new Layer(l.get("layer_norm1.weight", h), l.get("layer_norm1.bias", h),
                    l.get("self_attn.q_proj.weight", h, h), l.get("self_attn.q_proj.bias", h),
                    l.get("self_attn.k_proj.weight", h, h), l.get("self_attn.k_proj.bias", h),
                    l.get("self_attn.v_proj.weight", h, h), l.get("self_attn.v_proj.bias", h),
                    l.get("self_attn.out_proj.weight", h, h), l.get("self_attn.out_proj.bias", h),
                    l.get("layer_norm2.weight", h), l.get("layer_norm2.bias", h),
                    l.get("mlp.fc1.weight", f, h), l.get("mlp.fc1.bias", f),
                    l.get("mlp.fc2.weight", h, f), l.get("mlp.fc2.bias", h)));
        }
        postW = w.get("post_layernorm.weight", h);
        postB = w.get("post_layernorm.bias", h);
    }

    @Override
    public ClipVisionSettings settings() {
        return s;
    }

    @Override
    public float[][] pooledOutput(float[] pixelValues, int n) {
        int size = s.imageSize();
        int h = s.hiddenSize();
        int t = s.tokens();
        int heads = s.heads();
        int d = h / heads;
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(pixelValues, new Shape(n, 3, size, size));
            NDArray p = Conv2d.conv2d(x, patch, null, new Shape(s.patchSize(), s.patchSize())).singletonOrThrow();
            p = p.reshape(n, h, t - 1).transpose(0, 2, 1);
            NDArray c = cls.reshape(1, 1, h).broadcast(new Shape(n, 1, h));
            x = c.concat(p, 1).add(positions);
            x = norm(x, preW, preB);
            float scale = (float) (1 / Math.sqrt(d));
            for (Layer l : layers) {
                NDArray y = norm(x, l.ln1w, l.ln1b);
                NDArray q = Linear.linear(y, l.qw, l.qb).singletonOrThrow().mul(scale).reshape(n, t, heads, d).transpose(0, 2, 1, 3);
                NDArray k = Linear.linear(y, l.kw, l.kb).singletonOrThrow().reshape(n, t, heads, d).transpose(0, 2, 3, 1);
                NDArray v = Linear.linear(y, l.vw, l.vb).singletonOrThrow().reshape(n, t, heads, d).transpose(0, 2, 1, 3);
                NDArray a = q.matMul(k).softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(n, t, h);
                x = x.add(Linear.linear(a, l.ow, l.ob).singletonOrThrow());
                y = Linear.linear(norm(x, l.ln2w, l.ln2b), l.fc1w, l.fc1b).singletonOrThrow();
                y = y.mul(ai.djl.nn.Activation.sigmoid(y.mul(1.702f)));
                x = x.add(Linear.linear(y, l.fc2w, l.fc2b).singletonOrThrow());
            }
            NDArray pooled = norm(x.get(":, 0, :"), postW, postB);
            float[] flat = pooled.toFloatArray();
            float[][] out = new float[n][h];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * h, out[i], 0, h);
            }
            return out;
        }
    }

    private NDArray norm(NDArray x, NDArray w, NDArray b) {
        NDList r = LayerNorm.layerNorm(x, new Shape(s.hiddenSize()), w, b, (float) s.layerNormEps());
        return r.singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
