package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' {@code Downsample2D} with a conv: 3x3, stride 2. Padding 1 gives ceil(n/2); padding 0
 * first pads one zero row and column at the bottom/right, as diffusers does.
 */
public final class Downsample2D {
    private final Conv2d conv;
    private final boolean padBottomRight;

    private Downsample2D(Conv2d conv, boolean padBottomRight) {
        this.conv = conv;
        this.padBottomRight = padBottomRight;
    }

    public static Downsample2D load(Weights w, long channels, int padding) {
        return new Downsample2D(Conv2d.load(w, "conv", channels, channels, 3, 2, padding), padding == 0);
    }

    public NDArray forward(NDArray x) {
        try (Scope s = Scope.open(x)) {
            // pad() takes (before, after) pairs starting from the last axis.
            NDArray in = padBottomRight ? x.pad(new Shape(0, 1, 0, 1), 0) : x;
            return s.keep(conv.forward(in));
        }
    }
}
