package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' {@code Upsample2D} with a conv: nearest-neighbour resize (x2, or to an explicit size
 * when the UNet forwards the skip's size for odd latents), then a 3x3 conv.
 */
public final class Upsample2D {
    private final Conv2d conv;

    private Upsample2D(Conv2d conv) {
        this.conv = conv;
    }

    public static Upsample2D load(Weights w, long channels) {
        return new Upsample2D(Conv2d.load(w, "conv", channels, channels, 3, 1, 1));
    }

    /** {@code height, width} 0 means twice the input size. */
    public NDArray forward(NDArray x, long height, long width) {
        try (Scope s = Scope.open(x)) {
            Shape shape = x.getShape();
            long h = shape.get(2);
            long w = shape.get(3);
            long outH = height > 0 ? height : 2 * h;
            long outW = width > 0 ? width : 2 * w;
            return s.keep(conv.forward(nearest(x, outH, outW)));
        }
    }

    /** PyTorch's {@code interpolate(mode="nearest")}: source index floor(dst * in / out). */
    static NDArray nearest(NDArray x, long outH, long outW) {
        Shape shape = x.getShape();
        long h = shape.get(2);
        long w = shape.get(3);
        NDArray y = resizeAxis(x, 2, h, outH);
        return resizeAxis(y, 3, w, outW);
    }

    private static NDArray resizeAxis(NDArray x, int axis, long in, long out) {
        if (out == in) {
            return x;
        }
        if (out == 2 * in) {
            return x.repeat(axis, 2);
        }
        float scale = (float) in / out;
        long[] index = new long[(int) out];
        for (int i = 0; i < out; i++) {
            index[i] = Math.min((long) Math.floor(i * scale), in - 1);
        }
        NDArray idx = x.getManager().create(index).toType(DataType.INT64, false);
        return axis == 2 ? x.get(new NDIndex(":, :, {}", idx)) : x.get(new NDIndex(":, :, :, {}", idx));
    }
}
