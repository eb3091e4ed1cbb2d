package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' {@code Attention} as the UNet uses it: {@code to_q/to_k/to_v} without bias,
 * {@code to_out.0} with bias, heads split head-major from the last axis, scores scaled by
 * {@code 1/sqrt(head_dim)}, no mask. With {@code context == null} it is self-attention.
 */
public final class Attention {
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final float scale;
    private final int sliceSize;

    private Attention(Linear toQ, Linear toK, Linear toV, Linear toOut, int heads, int headDim, int sliceSize) {
        this.toQ = toQ;
        this.toK = toK;
        this.toV = toV;
        this.toOut = toOut;
        this.heads = heads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.sliceSize = sliceSize;
    }

    /** Score bytes one slice may hold when slicing is automatic ({@code sliceSize} 0). */
    public static final long AUTO_SLICE_BYTES = 256L << 20;

    /**
     * @param queryDim     channels of the input
     * @param contextDim   channels of the context (= queryDim for self-attention)
     * @param sliceSize    (batch x head) score matrices computed at once: a positive count, 0 for
     *                     automatic (as many as fit in {@link #AUTO_SLICE_BYTES}), negative for all
     */
    public static Attention load(Weights w, long queryDim, long contextDim, int heads, int headDim, int sliceSize) {
        long inner = (long) heads * headDim;
        return new Attention(
                Linear.load(w, "to_q", queryDim, inner, false),
                Linear.load(w, "to_k", contextDim, inner, false),
                Linear.load(w, "to_v", contextDim, inner, false),
                Linear.load(w, "to_out.0", inner, queryDim, true),
                heads, headDim, sliceSize);
    }

    /** {@code x}: (B, Lq, queryDim); {@code context}: (B, Lk, contextDim) or null. */
    public NDArray forward(NDArray x, NDArray context) {
        try (Scope s = Scope.open(x, context)) {
            NDArray kv = context == null ? x : context;
            NDArray q = toQ.forward(x).mul(scale);
            NDArray out = attend(q, toK.forward(kv), toV.forward(kv), heads, null, sliceSize, false);
            return s.keep(toOut.forward(out));
        }
    }

    /**
     * Multi-head {@code softmax(q k^T + mask) v} on already projected and scaled {@code q}
     * (B, Lq, H*D) and {@code k, v} (B, Lk, H*D); returns (B, Lq, H*D). {@code mask} (Lq, Lk) is
     * added to the scores when given. Scores are computed {@code sliceSize} (batch x head) rows at a
     * time to bound memory (0: automatic, negative: all at once); {@code upcast} runs the softmax in
     * float32.
     */
    public static NDArray attend(NDArray q, NDArray k, NDArray v, int heads, NDArray mask, int sliceSize,
                                 boolean upcast) {
        Shape qs = q.getShape();
        long b = qs.get(0);
        long lq = qs.get(1);
        long d = qs.get(2) / heads;
        long lk = k.getShape().get(1);
        NDArray qh = splitHeads(q, heads, d);
        NDArray kt = splitHeads(k, heads, d).transpose(0, 2, 1);
        NDArray vh = splitHeads(v, heads, d);
        long rows = b * heads;
        if (sliceSize == 0) {
            long perRow = Math.max(1, lq * lk * 4);
            sliceSize = (int) Math.max(1, Math.min(Integer.MAX_VALUE, AUTO_SLICE_BYTES / perRow));
        }
        NDArray out;
        if (sliceSize < 0 || sliceSize >= rows) {
            out = scores(qh, kt, vh, mask, upcast);
        } else {
            NDList parts = new NDList();
            for (long start = 0; start < rows; start += sliceSize) {
                long end = Math.min(rows, start + sliceSize);
                NDIndex rowRange = new NDIndex(start + ":" + end);
                NDArray qSlice = qh.get(rowRange);
                try (Scope s = Scope.open(qSlice)) {
                    parts.add(s.keep(scores(qSlice, kt.get(rowRange), vh.get(rowRange), mask, upcast)));
                }
            }
            out = NDArrays.concat(parts, 0);
        }
        return out.reshape(b, heads, lq, d).transpose(0, 2, 1, 3).reshape(b, lq, heads * d);
    }

    private static NDArray scores(NDArray q, NDArray kt, NDArray v, NDArray mask, boolean upcast) {
        NDArray s = q.matMul(kt);
        if (mask != null) {
            s = s.add(mask);
        }
        DataType type = s.getDataType();
        if (upcast && type != DataType.FLOAT32) {
            s = s.toType(DataType.FLOAT32, false).softmax(-1).toType(type, false);
        } else {
            s = s.softmax(-1);
        }
        return s.matMul(v);
    }

    /** (B, L, H*D) to (B*H, L, D), head-major. */
    private static NDArray splitHeads(NDArray x, int heads, long d) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, d).transpose(0, 2, 1, 3).reshape(s.get(0) * heads, s.get(1), d);
    }
}
