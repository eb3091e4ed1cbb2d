package dev.gpt4video.safety.nsfwjs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.WeightLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * nsfwjs' default classifier (Keras MobileNetV2 alpha 1.0 at 224x224 plus a 3-layer Dense head) run
 * with DJL in float32, NCHW. Input is NHWC RGB in [0,1] as nsfwjs feeds it; output is the softmax
 * over {@link NsfwjsConfig#classes()}. BatchNorm layers are folded into the preceding convolution at
 * load (in double precision, keeping the stored epsilon, since some dequantized variances are 0).
 *
 * <pre>{@code
 * try (NDManager m = NDManager.newBaseManager(); NsfwjsModel model = NsfwjsModel.load(dir, m)) {
 *     float[][] p = model.predict(nhwc, 1);
 * }
 * }</pre>
 */
public final class NsfwjsModel implements AutoCloseable {
    // Tensor names: tfjs/Keras layer names + weight names, the only place they are spelled.
    static final String STEM_CONV = "Conv1";
    static final String STEM_BN = "bn_Conv1";
    static final String HEAD_CONV = "Conv_1";
    static final String HEAD_BN = "Conv_1_bn";
    static final String[] DENSE = {"dense_1", "dense_2", "dense_3"};
    static final String KERNEL = "/kernel";
    static final String DEPTHWISE_KERNEL = "/depthwise_kernel";
    static final String BIAS = "/bias";
    static final String[] BN_PARTS = {"/gamma", "/beta", "/moving_mean", "/moving_variance"};

    /** Output channels and stride of the 17 inverted-residual blocks (Keras MobileNetV2, alpha 1). */
    static final int[] BLOCK_OUT = {16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320};
    static final int[] BLOCK_STRIDE = {1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1};
    static final int EXPANSION = 6;
    static final int STEM_CHANNELS = 32;
    static final int HEAD_CHANNELS = 1280;
    static final int[] DENSE_UNITS = {256, 128};

    /** A convolution with its BatchNorm folded in: OIHW weight and per-channel bias. */
    private record ConvBn(NDArray weight, NDArray bias, int stride, int groups, boolean tfSamePad) {
    }

    private record Block(ConvBn expand, ConvBn depthwise, ConvBn project, boolean residual) {
    }

    private final NsfwjsConfig config;
    private final NDManager manager;
    private final ConvBn stem;
    private final List<Block> blocks;
    private final ConvBn head;
    private final NDArray[] denseW = new NDArray[3];
    private final NDArray[] denseB = new NDArray[3];

    private NsfwjsModel(NsfwjsConfig config, WeightLoader w) {
        this.config = config;
        this.manager = w.manager();
        double eps = config.batchNormEpsilon();
        this.stem = conv(w, STEM_CONV, STEM_BN, 3, 3, STEM_CHANNELS, 2, false, eps);
        List<Block> list = new ArrayList<>();
        int in = STEM_CHANNELS;
        for (int i = 0; i < BLOCK_OUT.length; i++) {
            String p = i == 0 ? "expanded_conv_" : "block_" + i + "_";
            int hidden = i == 0 ? in : in * EXPANSION;
            ConvBn expand = i == 0 ? null : conv(w, p + "expand", p + "expand_BN", 1, in, hidden, 1, false, eps);
            ConvBn dw = conv(w, p + "depthwise", p + "depthwise_BN", 3, hidden, hidden, BLOCK_STRIDE[i], true, eps);
            ConvBn project = conv(w, p + "project", p + "project_BN", 1, hidden, BLOCK_OUT[i], 1, false, eps);
            list.add(new Block(expand, dw, project, BLOCK_STRIDE[i] == 1 && in == BLOCK_OUT[i]));
            in = BLOCK_OUT[i];
        }
        this.blocks = List.copyOf(list);
        this.head = conv(w, HEAD_CONV, HEAD_BN, 1, in, HEAD_CHANNELS, 1, false, eps);
        int units = HEAD_CHANNELS;
        for (int d = 0; d < 3; d++) {
            int out = d < 2 ? DENSE_UNITS[d] : config.classes().size();
            // Dense kernels stay [in, out]: y = x . W + b.
            denseW[d] = manager.create(w.floats(DENSE[d] + KERNEL, units, out), new Shape(units, out));
            denseB[d] = manager.create(w.floats(DENSE[d] + BIAS, out), new Shape(out));
            units = out;
        }
    }

    /**
     * Loads from a directory holding {@code model.safetensors} (converted; tfjs names and shapes) or a
     * tfjs {@code model.json} + shard, with {@code config.json} when present. Loading is strict: a
     * missing or an unused tensor fails naming it.
     */
    public static NsfwjsModel load(Path dir, NDManager manager) {
        NsfwjsConfig config = NsfwjsConfig.readOrDefault(dir);
        Path safetensors = dir.resolve("model.safetensors");
        try (Checkpoint ckpt = Files.isRegularFile(safetensors) || !Files.isRegularFile(dir.resolve("model.json"))
                ? Checkpoint.open(safetensors) : TfjsLayersCheckpoint.open(dir.resolve("model.json"))) {
            return load(ckpt, config, manager);
        }
    }

    /** Loads strictly from any checkpoint with tfjs tensor names. */
    public static NsfwjsModel load(Checkpoint checkpoint, NsfwjsConfig config, NDManager manager) {
        NDManager own = manager.newSubManager();
        try {
            WeightLoader w = new WeightLoader(checkpoint, own, DataType.FLOAT32, WeightLoader.Mode.STRICT);
            NsfwjsModel model = new NsfwjsModel(config, w);
            w.finish();
            return model;
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
    }

    private ConvBn conv(WeightLoader w, String convName, String bnName, int k, int in, int out, int stride,
                        boolean depthwise, double eps) {
        float[] src = depthwise
                ? w.floats(convName + DEPTHWISE_KERNEL, k, k, in, 1)
                : w.floats(convName + KERNEL, k, k, in, out);
        float[] gamma = w.floats(bnName + BN_PARTS[0], out);
        float[] beta = w.floats(bnName + BN_PARTS[1], out);
        float[] mean = w.floats(bnName + BN_PARTS[2], out);
        float[] var = w.floats(bnName + BN_PARTS[3], out);
        int inPerGroup = depthwise ? 1 : in;
        float[] weight = new float[out * inPerGroup * k * k];
        float[] bias = new float[out];
        for (int o = 0; o < out; o++) {
            double a = gamma[o] / Math.sqrt((double) var[o] + eps);
            bias[o] = (float) (beta[o] - mean[o] * a);
            for (int i = 0; i < inPerGroup; i++) {
                for (int y = 0; y < k; y++) {
                    for (int x = 0; x < k; x++) {
                        // HWIO -> OIHW; depthwise [kh,kw,C,1] -> [C,1,kh,kw].
                        float v = depthwise ? src[(y * k + x) * in + o] : src[((y * k + x) * in + i) * out + o];
                        weight[((o * inPerGroup + i) * k + y) * k + x] = (float) (v * a);
                    }
                }
            }
        }
        return new ConvBn(manager.create(weight, new Shape(out, inPerGroup, k, k)),
                manager.create(bias, new Shape(out)), stride, depthwise ? out : 1, k == 3 && stride == 1);
    }

    public NsfwjsConfig config() {
        return config;
    }

    /**
     * Class probabilities for {@code n} images given as NHWC float32 RGB in [0,1] of side
     * {@link NsfwjsConfig#inputSize()}. Temporary arrays live in a sub-manager closed on return.
     */
    public float[][] predict(float[] nhwc, int n) {
        int s = config.inputSize();
        if (nhwc.length != n * s * s * 3) {
            throw new IllegalArgumentException("expected " + n + "x" + s + "x" + s + "x3 floats, got " + nhwc.length);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(nhwc, new Shape(n, s, s, 3)).transpose(0, 3, 1, 2);
            x = relu6(apply(stem, x));
            for (Block b : blocks) {
                NDArray h = b.expand == null ? x : relu6(apply(b.expand, x));
                h = relu6(apply(b.depthwise, h));
                h = apply(b.project, h);
                x = b.residual ? x.add(h) : h;
            }
            x = relu6(apply(head, x)).reshape(n, HEAD_CHANNELS, -1).mean(new int[] {2});
            x = x.matMul(denseW[0]).add(denseB[0]).maximum(0f);
            x = x.matMul(denseW[1]).add(denseB[1]).maximum(0f);
            float[] p = x.matMul(denseW[2]).add(denseB[2]).softmax(-1).toFloatArray();
            int c = config.classes().size();
            float[][] out = new float[n][c];
            for (int i = 0; i < n; i++) {
                System.arraycopy(p, i * c, out[i], 0, c);
            }
            return out;
        }
    }

    private static NDArray apply(ConvBn c, NDArray x) {
        Shape padding;
        if (c.stride == 2) {
            // Keras ZeroPadding2D((0,1),(0,1)) before a "valid" stride-2 conv: bottom/right only.
            x = x.pad(new Shape(0, 1, 0, 1), 0);
            padding = new Shape(0, 0);
        } else {
            padding = c.tfSamePad ? new Shape(1, 1) : new Shape(0, 0);
        }
        return Conv2d.conv2d(x, c.weight, c.bias, new Shape(c.stride, c.stride), padding, new Shape(1, 1),
                c.groups).singletonOrThrow();
    }

    private static NDArray relu6(NDArray x) {
        return x.clip(0f, 6f);
    }

    @Override
    public void close() {
        manager.close();
    }
}
