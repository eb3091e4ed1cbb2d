package dev.gpt4video.abstractor.nn;

import ai.djl.ndarray.NDArray;

/**
 * Multi-head scaled dot-product attention on whole batches: every head of every sequence goes
 * through one batched matrix product, never a Java loop (a DJL call costs about 11 µs).
 */
public final class Attention {
    private Attention() {
    }

    /** {@code [N, L, H·d]} → {@code [N, H, L, d]}. */
    public static NDArray splitHeads(NDArray x, int heads) {
        long n = x.getShape().get(0), l = x.getShape().get(1), width = x.getShape().get(2);
        return x.reshape(n, l, heads, width / heads).transpose(0, 2, 1, 3);
    }

    /** {@code [N, H, L, d]} → {@code [N, L, H·d]}, heads in order. */
    public static NDArray mergeHeads(NDArray x) {
        long n = x.getShape().get(0), h = x.getShape().get(1), l = x.getShape().get(2), d = x.getShape().get(3);
        return x.transpose(0, 2, 1, 3).reshape(n, l, h * d);
    }

    /**
     * {@code softmax(q·kᵀ·scale)·v} for {@code q [N,H,Lq,d]}, {@code k, v [N,H,Lk,d]}, no mask.
     * {@code scaleQueries} scales q before the product (HF CLIP) instead of the scores after it
     * (mPLUG-Owl); the results differ only by rounding, but each follows its reference.
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, float scale, boolean scaleQueries) {
        NDArray scores = scaleQueries
                ? q.mul(scale).matMul(k.transpose(0, 1, 3, 2))
                : q.matMul(k.transpose(0, 1, 3, 2)).mul(scale);
        return scores.softmax(-1).matMul(v);
    }
}
