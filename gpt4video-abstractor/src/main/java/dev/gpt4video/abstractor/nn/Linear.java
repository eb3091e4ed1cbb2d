package dev.gpt4video.abstractor.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.gpt4video.core.checkpoint.WeightLoader;

/**
 * A dense layer in PyTorch's layout: {@code y = x·Wᵀ + b} with {@code W [out, in]}. Works on any
 * number of leading dimensions.
 *
 * @param bias may be null (no bias)
 */
public record Linear(NDArray weight, NDArray bias) {

    /** Loads {@code name.weight [out, in]} and {@code name.bias [out]}. */
    public static Linear load(WeightLoader w, String name, long out, long in) {
        return new Linear(w.get(name + ".weight", out, in), w.get(name + ".bias", out));
    }

    /** Loads {@code name.weight [out, in]} of a layer without bias. */
    public static Linear loadWithoutBias(WeightLoader w, String name, long out, long in) {
        return new Linear(w.get(name + ".weight", out, in), null);
    }

    /**
     * Stacks layers that read the same input into one (their outputs concatenated along the last
     * axis), so e.g. q, k and v cost one matrix product instead of three. The parts are closed.
     */
    public static Linear fuse(Linear... parts) {
        NDList weights = new NDList();
        NDList biases = new NDList();
        for (Linear p : parts) {
            weights.add(p.weight);
            if (p.bias != null) {
                biases.add(p.bias);
            }
        }
        if (!biases.isEmpty() && biases.size() != parts.length) {
            throw new IllegalArgumentException("cannot fuse layers with and without bias");
        }
        NDArray weight = ai.djl.ndarray.NDArrays.concat(weights, 0);
        NDArray bias = biases.isEmpty() ? null : ai.djl.ndarray.NDArrays.concat(biases, 0);
        for (Linear p : parts) {
            p.close();
        }
        return new Linear(weight, bias);
    }

    public NDArray apply(NDArray x) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }

    public long inFeatures() {
        return weight.getShape().get(1);
    }

    void close() {
        weight.close();
        if (bias != null) {
            bias.close();
        }
    }
}
