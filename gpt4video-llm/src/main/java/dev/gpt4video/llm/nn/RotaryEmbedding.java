package dev.gpt4video.llm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding in the Hugging Face layout ({@code rotate_half}: dimension {@code i}
 * pairs with {@code i + headDim/2}), with optional linear scaling (positions divided by a factor).
 * The angle tables are computed once in float32, the way {@code LlamaRotaryEmbedding} does, and
 * cast to the activation dtype when used.
 *
 * <pre>{@code
 * RotaryEmbedding rope = new RotaryEmbedding(64, 10000, 1.0, 2048);
 * NDArray[] cs = rope.cosSin(manager, positions, DataType.FLOAT32);   // each [n, 1, 64]
 * NDArray q2 = rope.apply(q, cs[0], cs[1]);                            // q: [n, heads, 64]
 * }</pre>
 */
public final class RotaryEmbedding {
    private final int headDim;
    private final int maxPositions;
    private final float[] cos;
    private final float[] sin;
    private final float[] rotateHalf;

    /**
     * @param scalingFactor linear RoPE scaling factor (1 for none)
     * @param maxPositions positions {@code 0..maxPositions-1} are supported
     */
    public RotaryEmbedding(int headDim, double theta, double scalingFactor, int maxPositions) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("head dimension must be even and positive: " + headDim);
        }
        this.headDim = headDim;
        this.maxPositions = maxPositions;
        int half = headDim / 2;
        float[] invFreq = inverseFrequencies(headDim, theta);
        float factor = (float) scalingFactor;
        cos = new float[maxPositions * headDim];
        sin = new float[maxPositions * headDim];
        for (int p = 0; p < maxPositions; p++) {
            // transformers: t = arange(n).float() / factor; freqs = outer(t, inv_freq), all float32.
            float t = (float) p / factor;
            for (int j = 0; j < half; j++) {
                float angle = t * invFreq[j];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[p * headDim + j] = c;
                cos[p * headDim + j + half] = c;
                sin[p * headDim + j] = s;
                sin[p * headDim + j + half] = s;
            }
        }
        // rotate_half(x) = cat(-x[half:], x[:half]) is x @ R for this signed permutation; one matmul
        // costs less than the four slicing ops it replaces, and +-1 products are exact.
        rotateHalf = new float[headDim * headDim];
        for (int j = 0; j < half; j++) {
            rotateHalf[(j + half) * headDim + j] = -1f;
            rotateHalf[j * headDim + j + half] = 1f;
        }
    }

    /** {@code inv_freq_j = 1 / theta^(2j / headDim)} computed in float32 as transformers does. */
    public static float[] inverseFrequencies(int headDim, double theta) {
        float[] inv = new float[headDim / 2];
        for (int j = 0; j < inv.length; j++) {
            float exponent = (float) (2 * j) / (float) headDim;
            inv[j] = (float) (1.0 / (float) Math.pow(theta, exponent));
        }
        return inv;
    }

    public int headDim() {
        return headDim;
    }

    public int maxPositions() {
        return maxPositions;
    }

    /** cos and sin for each position, shaped {@code [n, 1, headDim]} to broadcast over heads. */
    public NDArray[] cosSin(NDManager manager, int[] positions, DataType dataType) {
        float[] c = new float[positions.length * headDim];
        float[] s = new float[positions.length * headDim];
        for (int i = 0; i < positions.length; i++) {
            int p = positions[i];
            if (p < 0 || p >= maxPositions) {
                throw new IllegalArgumentException("position " + p + " outside 0.." + (maxPositions - 1));
            }
            System.arraycopy(cos, p * headDim, c, i * headDim, headDim);
            System.arraycopy(sin, p * headDim, s, i * headDim, headDim);
        }
        Shape shape = new Shape(positions.length, 1, headDim);
        NDArray cosArray = manager.create(c, shape);
        NDArray sinArray = manager.create(s, shape);
        if (dataType != DataType.FLOAT32) {
            cosArray = cosArray.toType(dataType, false);
            sinArray = sinArray.toType(dataType, false);
        }
        return new NDArray[] {cosArray, sinArray};
    }

    /** The signed permutation R with {@code x @ R == rotate_half(x)}, shaped {@code [headDim, headDim]}. */
    public NDArray rotateHalfMatrix(NDManager manager, DataType dataType) {
        NDArray r = manager.create(rotateHalf, new Shape(headDim, headDim));
        return dataType == DataType.FLOAT32 ? r : r.toType(dataType, false);
    }

    /**
     * {@code x * cos + rotate_half(x) * sin} for {@code x: [n, heads, headDim]} with cos/sin from
     * {@link #cosSin} and {@code rotate} from {@link #rotateHalfMatrix}.
     */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin, NDArray rotate) {
        return x.mul(cos).add(x.matMul(rotate).mul(sin));
    }
}
