package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/**
 * diffusers' GEGLU feed-forward: {@code net.0.proj} to 2 x inner, split the last axis into value
 * (first half) and gate (second half), {@code value * gelu(gate)} (exact GELU), {@code net.2} back.
 * Rows (the first axis) are independent, so large inputs run in chunks of rows whose 2 x inner
 * intermediate stays under {@link #CHUNK_BYTES} (diffusers' "forward chunking"; the same math, equal up to
 * float rounding of the matrix products).
 */
public final class FeedForward {
    /** Bytes of the widest intermediate one chunk may hold. */
    public static final long CHUNK_BYTES = 256L << 20;

    private final Linear proj;
    private final Linear out;

    private FeedForward(Linear proj, Linear out) {
        this.proj = proj;
        this.out = out;
    }

    public static FeedForward load(Weights w, long dim, int mult) {
        long inner = dim * mult;
        return new FeedForward(Linear.load(w, "net.0.proj", dim, inner * 2, true), Linear.load(w, "net.2", inner, dim, true));
    }

    /** {@code x}: (N, L, dim). */
    public NDArray forward(NDArray x) {
        return forward(x, CHUNK_BYTES);
    }

    NDArray forward(NDArray x, long chunkBytes) {
        long rows = x.getShape().get(0);
        long perRow = x.getShape().size() / rows * proj.outFeatures() / x.getShape().getLastDimension() * 4;
        long chunk = Math.max(1, chunkBytes / Math.max(1, perRow));
        if (chunk >= rows) {
            return chunk(x);
        }
        try (Scope s = Scope.open(x)) {
            NDList parts = new NDList();
            for (long start = 0; start < rows; start += chunk) {
                parts.add(chunk(x.get(new NDIndex(start + ":" + Math.min(rows, start + chunk)))));
            }
            return s.keep(NDArrays.concat(parts, 0));
        }
    }

    private NDArray chunk(NDArray x) {
        try (Scope s = Scope.open(x)) {
            NDArray z = proj.forward(x);
            // DJL's split wants a non-negative axis.
            NDList halves = z.split(2, z.getShape().dimension() - 1);
            return s.keep(out.forward(halves.get(0).mul(Activations.gelu(halves.get(1)))));
        }
    }
}
