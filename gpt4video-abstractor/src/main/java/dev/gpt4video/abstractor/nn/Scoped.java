package dev.gpt4video.abstractor.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Runs one block of a forward pass in a child manager so its intermediates are freed as soon as it
 * returns; only the block's results move to the caller's manager. Without this a 24-layer ViT keeps
 * every layer's activations alive until the request ends (gigabytes at 224 px).
 *
 * <pre>{@code
 * x = Scoped.apply(x, h -> layer.forward(h));   // h lives in the child; the result in x's manager
 * }</pre>
 */
public final class Scoped {
    private Scoped() {
    }

    /** Applies {@code block} to {@code input}; the result belongs to {@code input}'s manager. */
    public static NDArray apply(NDArray input, UnaryOperator<NDArray> block) {
        return apply(new NDList(input), in -> new NDList(block.apply(in.get(0)))).get(0);
    }

    /**
     * Applies {@code block} to {@code inputs}; the results belong to the first input's manager.
     * Inputs are attached to the child for the duration (so operations on them allocate there) and
     * go back to their own managers afterwards. The block must return new arrays, not its inputs.
     */
    public static NDList apply(NDList inputs, Function<NDList, NDList> block) {
        NDManager owner = inputs.get(0).getManager();
        try (NDManager child = owner.newSubManager()) {
            for (NDArray in : inputs) {
                in.tempAttach(child);
            }
            NDList out = block.apply(inputs);
            for (NDArray o : out) {
                o.attach(owner);
            }
            return out;
        }
    }

    /** Moves an array created from a weight (e.g. a broadcast of a learned token) into {@code like}'s manager. */
    public static NDArray into(NDArray array, NDArray like) {
        array.attach(like.getManager());
        return array;
    }
}
