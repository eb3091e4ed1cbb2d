package dev.gpt4video.llm.llama;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.llm.ReferenceLlama;
import dev.gpt4video.llm.TinyLlama;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole DJL model (prefill, chunked prefill, batched decode of sequences of different lengths,
 * embedding segments) against {@link ReferenceLlama} on a tiny random GQA model with linear RoPE
 * scaling and an untied head.
 */
class TinyLlamaForwardTest {
    private static final double TOLERANCE = 2e-4;
    @TempDir
    static Path dir;
    private static NDManager root;
    private static LlamaModel model;
    private static ReferenceLlama reference;
    private static LlamaConfig config;

    @BeforeAll
    static void load() {
        config = TinyLlama.config();
        TinyLlama.write(dir, config, 11);
        root = NDManager.newBaseManager("PyTorch");
        model = LlamaModel.load(dir, root, DataType.FLOAT32, LlamaModel.LoadOptions.defaults());
        Map<String, float[]> weights = TinyLlama.read(dir);
        reference = new ReferenceLlama(config, weights);
    }

    @AfterAll
    static void release() {
        model.close();
        root.close();
    }

    private static void assertClose(float[] got, double[] expected, String what) {
        double max = 0;
        for (int i = 0; i < got.length; i++) {
            max = Math.max(max, Math.abs(got[i] - expected[i]));
        }
        assertThat(max).as("max |logit - reference| for %s", what).isLessThan(TOLERANCE);
    }

    @Test
    void configIsReadBack() {
        assertThat(model.config()).isEqualTo(config);
    }

    @Test
    void prefillThenBatchedDecodeOfDifferentLengthsMatchReference() {
        int[] a = {1, 5, 9, 3, 30, 7, 12, 8};
        int[] b = {1, 22, 4, 17, 39, 2, 11};
        double[][] refA = reference.forward(a);
        double[][] refB = reference.forward(b);
        try (KvCache ca = model.newCache(a.length); KvCache cb = model.newCache(b.length)) {
            assertClose(model.prefill(ca, List.of(Segment.tokens(java.util.Arrays.copyOf(a, 5)))), refA[4], "prefill a");
            assertClose(model.prefill(cb, List.of(Segment.tokens(1, 22))), refB[1], "prefill b");
            // b catches up alone, then both step together at different positions.
            assertClose(model.decode(List.of(cb), new int[] {4})[0], refB[2], "decode b");
            for (int step = 0; step < 3; step++) {
                float[][] out = model.decode(List.of(ca, cb), new int[] {a[5 + step], b[3 + step]});
                assertClose(out[0], refA[5 + step], "batched a at " + (5 + step));
                assertClose(out[1], refB[3 + step], "batched b at " + (3 + step));
            }
            assertThat(ca.length()).isEqualTo(a.length);
            assertThat(cb.length()).isEqualTo(6);
        }
    }

    @Test
    void prefillInPiecesEqualsOnePrefill() {
        int[] ids = {1, 3, 5, 7, 9, 11};
        double[][] ref = reference.forward(ids);
        try (KvCache c = model.newCache(ids.length)) {
            model.prefill(c, List.of(Segment.tokens(1, 3, 5)));
            assertClose(model.prefill(c, List.of(Segment.tokens(7, 9, 11))), ref[5], "second prefill");
        }
    }

    @Test
    void embeddingSegmentsEnterLikeTheirTokens() {
        int[] ids = {1, 14, 15, 16, 3};
        double[][] ref = reference.forward(ids);
        float[] rows = new float[2 * config.hiddenSize()];
        for (int r = 0; r < 2; r++) {
            double[] e = reference.embed(ids[2 + r]);
            for (int i = 0; i < e.length; i++) {
                rows[r * config.hiddenSize() + i] = (float) e[i];
            }
        }
        List<Segment> segments = List.of(Segment.tokens(1, 14), Segment.embeddings(rows, 2, config.hiddenSize()),
                Segment.tokens(3));
        try (KvCache c = model.newCache(ids.length)) {
            assertClose(model.prefill(c, segments), ref[4], "mixed segments");
        }
    }

    @Test
    void closedCacheFreesItsArrays() {
        KvCache c = model.newCache(8);
        model.prefill(c, List.of(Segment.tokens(1, 2, 3)));
        assertThat(c.manager().getManagedArrays()).isNotEmpty();
        c.close();
        assertThat(c.manager().getManagedArrays()).isEmpty();
    }
}
