package dev.gpt4video.llm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Scaled dot-product attention of one sequence's new queries over its cached keys and values, with
 * grouped-query attention and a causal mask. Query head {@code h} reads key/value head
 * {@code h / groups}, as {@code repeat_kv} arranges it in transformers; here the query heads of a
 * group are folded into the rows of one batched matmul, so the keys are never copied.
 * Scores are soft-maxed in float32 whatever the activation dtype.
 */
public final class CausalAttention {
    /** transformers masks with {@code finfo(float32).min}, not -inf. */
    private static final float MASKED = -Float.MAX_VALUE;

    private CausalAttention() {
    }

    /**
     * @param query {@code [n, heads, headDim]}, already multiplied by {@code 1/sqrt(headDim)}
     * @param keys {@code [kvHeads, start + n, headDim]}: the cache up to and including the new rows
     * @param values same shape as {@code keys}
     * @param start position of the first query row (keys before it are the sequence's past)
     * @return {@code [n, heads * headDim]}
     */
    public static NDArray forward(NDArray query, NDArray keys, NDArray values, int start, NDManager manager) {
        Shape qs = query.getShape();
        int n = (int) qs.get(0);
        int heads = (int) qs.get(1);
        int headDim = (int) qs.get(2);
        int kvHeads = (int) keys.getShape().get(0);
        int total = (int) keys.getShape().get(1);
        int groups = heads / kvHeads;
        DataType dtype = query.getDataType();

        NDArray q = n == 1
                ? query.reshape(kvHeads, groups, headDim)
                : query.reshape(n, kvHeads, groups, headDim).transpose(1, 2, 0, 3).reshape(kvHeads, groups * n, headDim);
        NDArray scores = q.matMul(keys.transpose(0, 2, 1));
        if (dtype != DataType.FLOAT32) {
            scores = scores.toType(DataType.FLOAT32, false);
        }
        if (n > 1) {
            scores = scores.reshape(kvHeads, groups, n, total).add(causalMask(manager, start, n, total));
        }
        NDArray probs = scores.softmax(-1);
        if (dtype != DataType.FLOAT32) {
            probs = probs.toType(dtype, false);
        }
        if (n == 1) {
            return probs.matMul(values).reshape(1, heads * headDim);
        }
        NDArray out = probs.reshape(kvHeads, groups * n, total).matMul(values);
        return out.reshape(kvHeads, groups, n, headDim).transpose(2, 0, 1, 3).reshape(n, heads * headDim);
    }

    /** {@code [n, total]}: 0 where key {@code j <= start + i}, the float32 minimum elsewhere. */
    public static NDArray causalMask(NDManager manager, int start, int n, int total) {
        float[] mask = new float[n * total];
        for (int i = 0; i < n; i++) {
            for (int j = start + i + 1; j < total; j++) {
                mask[i * total + j] = MASKED;
            }
        }
        return manager.create(mask, new Shape(n, total));
    }
}
