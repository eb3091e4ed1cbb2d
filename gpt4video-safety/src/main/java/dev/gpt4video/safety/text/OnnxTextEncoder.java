package dev.gpt4video.safety.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face tokenizer + an ONNX transformer run with ONNX Runtime on the CPU. Feeds
 * {@code input_ids}, {@code attention_mask} and {@code token_type_ids} (each only when the graph
 * declares it) as int64 {@code [1, seq]} and returns the first output. Shared by the sentence
 * encoder and {@link OnnxTextClassifier}.
 */
final class OnnxTextEncoder implements AutoCloseable {
    /** The first graph output, flattened, with its shape. */
    record Output(float[] values, long[] shape, long[] attentionMask) {
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final Set<String> inputs;

    OnnxTextEncoder(byte[] onnxModel, InputStream tokenizerJson, int maxTokens) {
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "maxLength", String.valueOf(maxTokens), "truncation", "true", "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, "cannot load tokenizer.json: " + e.getMessage(), e);
        }
        try {
            this.env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            // Two cores are shared by the whole server: one thread per text model is plenty for short texts.
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            this.session = env.createSession(onnxModel, options);
            this.inputs = session.getInputNames();
        } catch (OrtException e) {
            tokenizer.close();
            throw new Gpt4VideoException(ErrorCode.CHECKPOINT_INVALID, "cannot load ONNX model: " + e.getMessage(), e);
        }
        if (!inputs.contains("input_ids")) {
            close();
            throw new Gpt4VideoException(ErrorCode.CHECKPOINT_INVALID,
                    "ONNX model has no 'input_ids' input (inputs: " + inputs + ")");
        }
    }

    Output run(String text) {
        Encoding enc = tokenizer.encode(text);
        long[] ids = enc.getIds();
        long[] mask = enc.getAttentionMask();
        long[] types = enc.getTypeIds();
        long[] shape = {1, ids.length};
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put("input_ids", OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(ids), shape));
            if (inputs.contains("attention_mask")) {
                feed.put("attention_mask", OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(mask), shape));
            }
            if (inputs.contains("token_type_ids")) {
                feed.put("token_type_ids", OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(feed)) {
                OnnxTensor out = (OnnxTensor) result.get(0);
                long[] outShape = out.getInfo().getShape();
                java.nio.FloatBuffer fb = out.getFloatBuffer();
                float[] values = new float[fb.remaining()];
                fb.get(values);
                return new Output(values, outShape, mask);
            }
        } catch (OrtException e) {
            throw new Gpt4VideoException(ErrorCode.INTERNAL, "ONNX inference failed: " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException ignored) {
            // Closing a session only frees native memory.
        }
        tokenizer.close();
    }
}
