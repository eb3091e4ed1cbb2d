package dev.gpt4video.core.video;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Turns preprocessed pixels into the visual embeddings a language model reads: a vision tower
 * followed by an abstractor. Implementations hold their own weights; an encoder is safe to call
 * from several threads unless it says otherwise.
 *
 * <pre>{@code
 * try (NDManager request = runtime.newRequestManager()) {
 *     NDArray pixels = request.create(values, new Shape(1, 3, 4, 224, 224)); // [B,3,T,H,W]
 *     NDArray visual = encoder.encode(pixels);                                // [B, n, hidden]
 * }
 * }</pre>
 */
public interface VideoEncoder extends AutoCloseable {

    /**
     * Encodes normalised pixels {@code [B,3,T,H,W]} (videos) or {@code [B,3,H,W]} (images, T = 1)
     * into {@code [B, tokensPerVideo(), hiddenSize()]}. The result, and everything computed on the
     * way, belongs to the pixels' manager.
     */
    NDArray encode(NDArray pixels);

    /** Visual tokens produced per video or image ({@code n} above). */
    int tokensPerVideo();

    /** Width of each visual token: the language model's hidden size. */
    int hiddenSize();

    /** Side length in pixels the encoder expects for each (square) frame. */
    int imageSize();

    /** Device the weights live on; pixels given as Java arrays are copied there. */
    Device device();

    /**
     * Encodes pixels held in a Java array of the given shape (C order) and returns the embeddings,
     * {@code [B, tokensPerVideo(), hiddenSize()]} in C order, as float32.
     */
    default float[] encode(float[] pixels, long... shape) {
        try (NDManager manager = NDManager.newBaseManager(device())) {
            NDArray x = manager.create(pixels, new Shape(shape));
            return encode(x).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        }
    }

    /** Releases the weights. */
    @Override
    void close();
}
