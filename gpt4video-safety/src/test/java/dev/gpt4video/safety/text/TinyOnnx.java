package dev.gpt4video.safety.text;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a tiny ONNX model by hand (protobuf wire format, no ONNX library): an embedding lookup
 * {@code Gather(table, input_ids)} averaged over tokens with {@code ReduceMean(axes=[1],
 * keepdims=0)} gives logits {@code [1, labels]}. {@code attention_mask} is declared and ignored.
 */
final class TinyOnnx {
    private TinyOnnx() {
    }

    static byte[] bagOfWordsClassifier(float[][] table) {
        int vocab = table.length;
        int labels = table[0].length;
        ByteBuffer raw = ByteBuffer.allocate(vocab * labels * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : table) {
            for (float v : row) {
                raw.putFloat(v);
            }
        }
        byte[] initializer = msg(varint(1, vocab), varint(1, labels), varint(2, 1 /* FLOAT */),
                str(8, "table"), bytes(9, raw.array()));
        byte[] gather = msg(str(1, "table"), str(1, "input_ids"), str(2, "embedded"), str(3, "gather"), str(4, "Gather"));
        byte[] axes = msg(str(1, "axes"), varint(8, 1), varint(20, 7 /* INTS */));
        byte[] keep = msg(str(1, "keepdims"), varint(3, 0), varint(20, 2 /* INT */));
        byte[] mean = msg(str(1, "embedded"), str(2, "logits"), str(3, "mean"), str(4, "ReduceMean"),
                bytes(5, axes), bytes(5, keep));
        byte[] graph = msg(bytes(1, gather), bytes(1, mean), str(2, "tiny_text_classifier"), bytes(5, initializer),
                bytes(11, valueInfo("input_ids", 7 /* INT64 */, null)),
                bytes(11, valueInfo("attention_mask", 7, null)),
                bytes(12, valueInfo("logits", 1, labels)));
        byte[] opset = msg(str(1, ""), varint(2, 13));
        return msg(varint(1, 7), str(2, "gpt4video-test"), bytes(7, graph), bytes(8, opset));
    }

    /** [1, seq] for inputs, [1, labels] for the output. */
    private static byte[] valueInfo(String name, int elemType, Integer labels) {
        byte[] d0 = msg(varint(1, 1));
        byte[] d1 = labels == null ? msg(str(2, "seq")) : msg(varint(1, labels));
        byte[] shape = msg(bytes(1, d0), bytes(1, d1));
        byte[] tensor = msg(varint(1, elemType), bytes(2, shape));
        byte[] type = msg(bytes(1, tensor));
        return msg(str(1, name), bytes(2, type));
    }

    private static byte[] msg(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : fields) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private static byte[] varint(int field, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, ((long) field << 3));
        writeVarint(out, value);
        return out.toByteArray();
    }

    private static byte[] str(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(int field, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, ((long) field << 3) | 2);
        writeVarint(out, b.length);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static void writeVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
