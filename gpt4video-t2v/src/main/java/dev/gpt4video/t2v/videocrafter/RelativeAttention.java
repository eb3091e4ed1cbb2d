package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.t2v.nn.Linear;
import dev.gpt4video.t2v.nn.Scope;
import dev.gpt4video.t2v.nn.Weights;

/**
 * lvdm's {@code CrossAttention} with {@code relative_position=True}, as VideoCrafter's temporal
 * transformers use it: self-attention over frames where key and value get a learned vector per
 * clipped frame distance, shared by all heads. For query frame i and key frame j,
 * {@code d = clamp(j - i, -L, L) + L},
 * {@code score_ij = (q_i . k_j + q_i . Rk[d]) / sqrt(D)} and
 * {@code out_i = sum_j p_ij (v_j + Rv[d])}, per head, before the heads merge.
 *
 * <p>Both relative terms are one batched matmul over the query frame axis (the (F, F, D) gathered
 * tables against all rows at once), so the cost does not grow with per-head loops.
 */
public final class RelativeAttention {
    /** Bytes of score-sized intermediates one chunk of rows may hold. */
    static final long CHUNK_BYTES = 128L << 20;

    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final NDArray tableK;
    private final NDArray tableV;
    private final int heads;
    private final int headDim;
    private final int maxDistance;

    private RelativeAttention(Linear toQ, Linear toK, Linear toV, Linear toOut, NDArray tableK, NDArray tableV,
                              int heads, int headDim, int maxDistance) {
        this.toQ = toQ;
        this.toK = toK;
        this.toV = toV;
        this.toOut = toOut;
        this.tableK = tableK;
        this.tableV = tableV;
        this.heads = heads;
        this.headDim = headDim;
        this.maxDistance = maxDistance;
    }

    /** {@code maxDistance} is lvdm's {@code temporal_length}: the tables hold 2L+1 rows. */
    public static RelativeAttention load(Weights w, long dim, int heads, int headDim, int maxDistance) {
        long inner = (long) heads * headDim;
        long rows = 2L * maxDistance + 1;
        return new RelativeAttention(
                Linear.load(w, "to_q", dim, inner, false),
                Linear.load(w, "to_k", dim, inner, false),
                Linear.load(w, "to_v", dim, inner, false),
                Linear.load(w, "to_out.0", inner, dim, true),
                w.get("relative_position_k.embeddings_table", rows, headDim),
                w.get("relative_position_v.embeddings_table", rows, headDim),
                heads, headDim, maxDistance);
    }

    /** {@code x}: (N, F, dim), one sequence of F frames per row; returns the same shape. */
    public NDArray forward(NDArray x) {
        try (Scope s = Scope.open(x)) {
            Shape shape = x.getShape();
            long n = shape.get(0);
            int frames = (int) shape.get(1);
            float scale = (float) (1.0 / Math.sqrt(headDim));
            NDArray q = splitHeads(toQ.forward(x).mul(scale), n, frames);
            NDArray k = splitHeads(toK.forward(x), n, frames);
            NDArray v = splitHeads(toV.forward(x), n, frames);
            NDArray[] tables = gatherTables(s.manager(), frames);
            long rows = n * heads;
            long perRow = (long) frames * Math.max(frames, headDim) * 4 * 4;
            long chunk = Math.max(1, CHUNK_BYTES / perRow);
            NDArray out;
            if (chunk >= rows) {
                out = attend(q, k, v, tables[0], tables[1]);
            } else {
                NDList parts = new NDList();
                for (long start = 0; start < rows; start += chunk) {
                    NDIndex range = new NDIndex(start + ":" + Math.min(rows, start + chunk));
                    NDArray qs = q.get(range);
                    try (Scope c = Scope.open(qs)) {
                        parts.add(c.keep(attend(qs, k.get(range), v.get(range), tables[0], tables[1])));
                    }
                }
                out = NDArrays.concat(parts, 0);
            }
            out = out.reshape(n, heads, frames, headDim).transpose(0, 2, 1, 3).reshape(n, frames, (long) heads * headDim);
            return s.keep(toOut.forward(out));
        }
    }

    /** (rows, F, D) each; tables (F, F, D) indexed [query frame, key frame]. */
    private static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray relK, NDArray relV) {
        NDArray scores = q.matMul(k.transpose(0, 2, 1));
        // sum_d q[r,i,d] Rk[i,j,d]: batch over the query frame i.
        NDArray relScores = q.transpose(1, 0, 2).matMul(relK.transpose(0, 2, 1)).transpose(1, 0, 2);
        NDArray p = scores.add(relScores).softmax(-1);
        NDArray out = p.matMul(v);
        // sum_j p[r,i,j] Rv[i,j,d]: batch over i again.
        NDArray relOut = p.transpose(1, 0, 2).matMul(relV).transpose(1, 0, 2);
        return out.add(relOut);
    }

    /** Rk and Rv gathered to (F, F, D) by the clipped distance j - i. */
    private NDArray[] gatherTables(NDManager m, int frames) {
        long[] index = new long[frames * frames];
        for (int i = 0; i < frames; i++) {
            for (int j = 0; j < frames; j++) {
                index[i * frames + j] = Math.max(-maxDistance, Math.min(maxDistance, j - i)) + maxDistance;
            }
        }
        NDArray idx = m.create(index);
        NDArray k = tableK.get(m, new NDIndex("{}", idx)).reshape(frames, frames, headDim);
        NDArray v = tableV.get(m, new NDIndex("{}", idx)).reshape(frames, frames, headDim);
        return new NDArray[] {k, v};
    }

    /** (N, F, H*D) to (N*H, F, D), head-major as lvdm's {@code b n (h d) -> (b h) n d}. */
    private NDArray splitHeads(NDArray x, long n, int frames) {
        return x.reshape(n, frames, heads, headDim).transpose(0, 2, 1, 3).reshape(n * heads, frames, headDim);
    }
}
