package dev.gpt4video.t2v.zeroscope;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv3d;
import dev.gpt4video.t2v.nn.Activations;
import dev.gpt4video.t2v.nn.GroupNorm;
import dev.gpt4video.t2v.nn.Scope;
import dev.gpt4video.t2v.nn.Weights;

/**
 * ModelScope's temporal convolution: on the (B, C, F, h, w) view, four stages of GroupNorm (statistics
 * across all frames of a sample) + SiLU + Conv3d with kernel (3,1,1) and zero padding in time, then the
 * input added back. Module indices follow diffusers: {@code conv1.0} norm, {@code conv1.2} conv;
 * {@code convN.0} norm, {@code convN.3} conv for N = 2..4 (index 2 is a dropout there).
 */
final class TemporalConvLayer {
    private static final Shape STRIDE = new Shape(1, 1, 1);
    private static final Shape PADDING = new Shape(1, 0, 0);
    private static final Shape DILATION = new Shape(1, 1, 1);

    private final GroupNorm[] norms = new GroupNorm[4];
    private final NDArray[] weights = new NDArray[4];
    private final NDArray[] biases = new NDArray[4];

    private TemporalConvLayer() {
    }

    static TemporalConvLayer load(Weights w, long channels, int groups, double eps) {
        TemporalConvLayer layer = new TemporalConvLayer();
        for (int stage = 0; stage < 4; stage++) {
            String prefix = "conv" + (stage + 1) + ".";
            String conv = prefix + (stage == 0 ? "2" : "3");
            layer.norms[stage] = GroupNorm.load(w, prefix + "0", groups, channels, eps);
            layer.weights[stage] = w.get(conv + ".weight", channels, channels, 3, 1, 1);
            layer.biases[stage] = w.get(conv + ".bias", channels);
        }
        return layer;
    }

    /** {@code x}: (B*F, C, h, w) with frame-minor batch rows. */
    NDArray forward(NDArray x, int frames) {
        try (Scope s = Scope.open(x)) {
            Shape shape = x.getShape();
            long c = shape.get(1);
            long b = shape.get(0) / frames;
            NDArray identity = x.reshape(b, frames, c, shape.get(2), shape.get(3)).transpose(0, 2, 1, 3, 4);
            NDArray h = identity;
            for (int stage = 0; stage < 4; stage++) {
                h = Activations.silu(norms[stage].forward(h));
                h = Conv3d.conv3d(h, weights[stage], biases[stage], STRIDE, PADDING, DILATION, 1).singletonOrThrow();
            }
            return s.keep(identity.add(h).transpose(0, 2, 1, 3, 4).reshape(shape));
        }
    }
}
