package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A child NDManager for one block's forward pass: the inputs are attached to it for the duration,
 * every intermediate lands in it (DJL puts a result in its first operand's manager), and only what
 * {@link #keep} returns survives {@link #close()}. Without this a 24-frame UNet step would hold every
 * activation until the request ends.
 *
 * <pre>{@code
 * try (Scope s = Scope.open(x, temb)) {
 *     NDArray h = conv.forward(x).add(proj.forward(temb));
 *     return s.keep(h);
 * }
 * }</pre>
 * Operations must take an activation, not a weight, as the first operand, or their result would
 * land in the model's manager.
 */
public final class Scope implements AutoCloseable {
    private final NDManager parent;
    private final NDManager child;

    private Scope(NDManager parent) {
        this.parent = parent;
        this.child = parent.newSubManager();
    }

    /** Opens a scope under {@code main}'s manager and attaches all inputs to it until closed. */
    public static Scope open(NDArray main, NDArray... others) {
        Scope s = new Scope(main.getManager());
        main.tempAttach(s.child);
        for (NDArray o : others) {
            if (o != null && o != main) {
                o.tempAttach(s.child);
            }
        }
        return s;
    }

    /** Opens a scope under {@code parent} without inputs (for work that starts from Java data). */
    public static Scope under(NDManager parent) {
        return new Scope(parent);
    }

    /** The scope's manager, for arrays created directly (constants, masks). */
    public NDManager manager() {
        return child;
    }

    /** Moves {@code result} to the manager the scope was opened under. */
    public NDArray keep(NDArray result) {
        result.attach(parent);
        return result;
    }

    @Override
    public void close() {
        child.close();
    }
}
