package dev.gpt4video.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing tokenizer.model files: what is written reads back the same and tokenizes losslessly. */
class SentencePieceWriterTest {
    private static final String[] TEXTS = {
        "Describe the video in detail.",
        "  The cat is sitting on the table, watching the street.  ",
        "Numbers 1234 and symbols #@!~ stay",
        "emoji 😀🦙 and 👨‍👩‍👧 family, naïve café, 你好",
        "line one\nline two\ttabbed",
        "",
    };

    @Test
    void demoVocabularyRoundTripsThroughAFile(@TempDir Path dir) {
        SentencePieceModel model = DemoVocabulary.build(4096);
        Path file = dir.resolve("tokenizer.model");
        SentencePieceWriter.write(model, file);
        SentencePieceModel back = SentencePieceModel.read(file);
        assertThat(back.pieces()).isEqualTo(model.pieces());
        assertThat(back).isEqualTo(model);

        Tokenizer tokenizer = Tokenizer.load(dir);
        assertThat(tokenizer.vocabSize()).isEqualTo(4096);
        for (String text : TEXTS) {
            int[] ids = tokenizer.encode(text, true, true);
            assertThat(tokenizer.decode(ids)).as("round trip of '%s'", text).isEqualTo(text);
        }
    }

    @Test
    void demoVocabularyHasTheRequestedSizeAndLlamaLayout() {
        for (int size : new int[] {354, 512, 1000, 32000}) {
            SentencePieceModel model = DemoVocabulary.build(size);
            assertThat(model.pieces()).hasSize(size);
            assertThat(model.trainerSpec().vocabSize()).isEqualTo(size);
            assertThat(model.pieces().get(0).type()).isEqualTo(PieceType.UNKNOWN);
            assertThat(model.pieces().get(1).text()).isEqualTo("<s>");
            assertThat(model.pieces().get(2).text()).isEqualTo("</s>");
            assertThat(model.pieces().get(3 + 0x41).text()).isEqualTo("<0x41>");
        }
        assertThatThrownBy(() -> DemoVocabulary.build(353)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void demoVocabularyTokenizesCommonWordsAsWholePieces() {
        Tokenizer tokenizer = new SentencePieceTokenizer(DemoVocabulary.build(4096));
        int[] ids = tokenizer.encode("Describe the video", false, false);
        assertThat(Arrays.stream(ids).mapToObj(tokenizer::piece))
                .containsExactly("\u2581Describe", "\u2581the", "\u2581video");
    }

    @Test
    void aRealModelSurvivesWriteAndRead() {
        SentencePieceModel llama = SentencePieceModel.read(Fixtures.dir("llama2-tokenizer").resolve("tokenizer.model"));
        SentencePieceModel back = SentencePieceModel.parse(SentencePieceWriter.toBytes(llama), "rewritten");
        assertThat(back).isEqualTo(llama);
    }
}
