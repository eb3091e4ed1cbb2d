package dev.gpt4video.llm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Root-mean-square layer norm as LLaMA applies it: statistics in float32 whatever the activation
 * dtype, the normalised value cast back to the input dtype, then scaled by the weight.
 * {@code y = w * (x / sqrt(mean(x^2) + eps))}.
 */
public final class RmsNorm {
    private static final int[] LAST_AXIS = {-1};

    private RmsNorm() {
    }

    /** Normalises over the last axis of {@code x}; {@code weight} has the size of that axis. */
    public static NDArray forward(NDArray x, NDArray weight, float eps) {
        DataType in = x.getDataType();
        NDArray x32 = in == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray rms = x32.square().mean(LAST_AXIS, true).add(eps).sqrt();
        NDArray normed = x32.div(rms);
        if (in != DataType.FLOAT32) {
            normed = normed.toType(in, false);
        }
        return normed.mul(weight);
    }
}
