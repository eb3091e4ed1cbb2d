package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;

/**
 * Receives named intermediate outputs during a forward pass (diffusers module paths such as
 * {@code down_blocks.0.resnets.0}), for parity tests and debugging. The array is only valid during
 * the call: copy what you need.
 */
@FunctionalInterface
public interface Probe {
    Probe NONE = (name, value) -> {
    };

    void report(String name, NDArray value);

    /** A probe that prefixes every name with {@code prefix}. */
    default Probe under(String prefix) {
        if (this == NONE) {
            return NONE;
        }
        return (name, value) -> report(prefix + name, value);
    }
}
