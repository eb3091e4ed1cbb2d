package dev.gpt4video.llm.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.util.Arrays;
import java.util.List;

/**
 * One piece of a model input: token ids, or rows that are already embeddings (the video tokens the
 * abstractor produces enter this way). {@link LlamaModel#embed} joins a list of segments into one
 * {@code [length, hidden]} input. Embedding rows are kept as float32 values on the heap, so a
 * request can wait in a queue without holding native memory.
 *
 * <pre>{@code
 * List<Segment> prompt = List.of(Segment.tokens(1, 15043), Segment.embeddings(video), Segment.tokens(13));
 * }</pre>
 */
public sealed interface Segment permits Segment.Tokens, Segment.Embeddings {

    /** Positions this segment occupies in the sequence. */
    int length();

    /** Token ids, embedded with the model's {@code embed_tokens}. */
    record Tokens(int[] ids) implements Segment {
        public Tokens {
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }

        @Override
        public int length() {
            return ids.length;
        }

        int id(int i) {
            return ids[i];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tokens t && Arrays.equals(ids, t.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }

        @Override
        public String toString() {
            return "Tokens" + Arrays.toString(ids);
        }
    }

    /** {@code rows x width} float32 values, row-major; {@code width} must be the model's hidden size. */
    record Embeddings(float[] values, int rows, int width) implements Segment {
        public Embeddings {
            if (rows < 0 || width <= 0 || (long) rows * width != values.length) {
                throw new IllegalArgumentException(values.length + " values do not make " + rows + " rows of " + width);
            }
            values = values.clone();
        }

        @Override
        public float[] values() {
            return values.clone();
        }

        float[] valuesNoCopy() {
            return values;
        }

        @Override
        public int length() {
            return rows;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Embeddings e && rows == e.rows && width == e.width && Arrays.equals(values, e.values);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(values) + rows;
        }

        @Override
        public String toString() {
            return "Embeddings[" + rows + " x " + width + "]";
        }
    }

    static Segment tokens(int... ids) {
        return new Tokens(ids);
    }

    static Segment embeddings(float[] values, int rows, int width) {
        return new Embeddings(values, rows, width);
    }

    /** Copies a {@code [rows, width]} array (any float dtype, any device) to the heap. */
    static Segment embeddings(NDArray rows) {
        if (rows.getShape().dimension() != 2) {
            throw new IllegalArgumentException("embeddings must be [rows, hidden], got " + rows.getShape());
        }
        float[] values;
        if (rows.getDataType() == DataType.FLOAT32) {
            values = rows.toFloatArray();
        } else {
            try (NDArray wide = rows.toType(DataType.FLOAT32, true)) {
                values = wide.toFloatArray();
            }
        }
        return new Embeddings(values, (int) rows.getShape().get(0), (int) rows.getShape().get(1));
    }

    /** Total positions of a list of segments. */
    static int length(List<Segment> segments) {
        long n = 0;
        for (Segment s : segments) {
            n += s.length();
        }
        return Math.toIntExact(n);
    }
}
