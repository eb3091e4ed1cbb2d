package dev.gpt4video.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.tokenizer.SentencePieceModel.NormalizerSpec;
import dev.gpt4video.llm.tokenizer.SentencePieceModel.Piece;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Encoding rules on tiny hand-made vocabularies; expected ids are worked out by hand in the comments. */
class SentencePieceTokenizerTest {
    private static final int BYTE0 = 3; // <0x00> with byte fallback

    @Test
    void mergesTheBestScoringPairFirstAndTiesGoLeft() {
        // 259 ▁, 260 a, 261 b, 262 ab (score -3), 263 ▁a (-4), 264 ▁ab (-5)
        var pieces = TestModels.normal("\u2581", "a", "b");
        pieces.add(new Piece("ab", -3, PieceType.NORMAL));
        pieces.add(new Piece("\u2581a", -4, PieceType.NORMAL));
        pieces.add(new Piece("\u2581ab", -5, PieceType.NORMAL));
        var tokenizer = new SentencePieceTokenizer(TestModels.model(true, NormalizerSpec.llama(), pieces));
        // "▁ab": ab (-3) beats ▁a (-4), then ▁+ab = ▁ab.
        assertThat(tokenizer.encode("ab", false, false)).containsExactly(264);
        // "▁abab": ab twice (leftmost first), then ▁ab + ab.
        assertThat(tokenizer.encode("abab", false, false)).containsExactly(264, 262);
    }

    @Test
    void charactersOutsideTheVocabularyFallBackToTheirUtf8Bytes() {
        var tokenizer = new SentencePieceTokenizer(
                TestModels.model(true, NormalizerSpec.llama(), TestModels.normal("\u2581", "a")));
        // é is C3 A9; 😀 is F0 9F 98 80.
        assertThat(tokenizer.encode("aé😀", false, false)).containsExactly(
                259, 260, BYTE0 + 0xC3, BYTE0 + 0xA9, BYTE0 + 0xF0, BYTE0 + 0x9F, BYTE0 + 0x98, BYTE0 + 0x80);
        assertThat(tokenizer.decode(tokenizer.encode("aé😀", false, false))).isEqualTo("aé😀");
    }

    @Test
    void withoutByteFallbackARunOfUnknownCharactersIsOneUnk() {
        var tokenizer = new SentencePieceTokenizer(
                TestModels.model(false, NormalizerSpec.llama(), TestModels.normal("\u2581", "a")));
        // ▁=3, a=4: "a éé a" -> ▁ a ▁ [éé] ▁ a
        assertThat(tokenizer.encode("a éé a", false, false)).containsExactly(3, 4, 3, 0, 3, 4);
        assertThat(tokenizer.decode(new int[] {3, 4, 3, 0, 3, 4})).isEqualTo("a  \u2047  a");
    }

    @Test
    void userDefinedPiecesAreMatchedWholeAndNeverMerged() {
        var pieces = new ArrayList<>(TestModels.normal("\u2581", "<", ">", "v", "\u2581<"));
        pieces.add(new Piece("<v>", 0, PieceType.USER_DEFINED));
        var tokenizer = new SentencePieceTokenizer(TestModels.model(true, NormalizerSpec.llama(), pieces));
        // ▁=259 <=260 >=261 v=262 ▁<=263 <v>=264: "<v>v" -> ▁ <v> v; the ▁< merge cannot take the '<'.
        assertThat(tokenizer.encode("<v>v", false, false)).containsExactly(259, 264, 262);
    }

    @Test
    void controlPiecesInTheTextAreJustText() {
        var tokenizer = new SentencePieceTokenizer(
                TestModels.model(true, NormalizerSpec.llama(), TestModels.normal("\u2581", "<", "s", ">", "/")));
        assertThat(tokenizer.encode("<s>", false, false)).containsExactly(259, 260, 261, 262);
        assertThat(tokenizer.encode("<s>", true, true)).containsExactly(1, 259, 260, 261, 262, 2);
    }

    @Test
    void removeExtraWhitespacesCollapsesSpacesWhenTheModelAsks() {
        var collapse = new NormalizerSpec("identity", true, true, true);
        var tokenizer = new SentencePieceTokenizer(TestModels.model(true, collapse, TestModels.normal("\u2581", "a", "b")));
        // "  a   b  " -> "▁a▁b"
        assertThat(tokenizer.encode("  a   b  ", false, false)).containsExactly(259, 260, 259, 261);
        assertThat(tokenizer.encode("   ", false, false)).isEmpty();
        assertThat(tokenizer.decode(new int[] {259, 260, 259, 261})).isEqualTo("a b");
    }

    @Test
    void unusedPiecesAreSplitBackIntoWhatMadeThem() {
        var pieces = new ArrayList<>(TestModels.normal("\u2581", "a", "b", "\u2581a"));
        pieces.add(new Piece("\u2581ab", -1, PieceType.UNUSED));
        var tokenizer = new SentencePieceTokenizer(TestModels.model(true, NormalizerSpec.llama(), pieces));
        // ▁=259 a=260 b=261 ▁a=262 ▁ab(unused)=263: merges ▁a then ▁ab, which is split back to ▁a b.
        assertThat(tokenizer.encode("ab", false, false)).containsExactly(262, 261);
    }

    @Test
    void emptyTextIsNoTokens() {
        var tokenizer = new SentencePieceTokenizer(TestModels.model(true, NormalizerSpec.llama(), TestModels.normal("\u2581")));
        assertThat(tokenizer.encode("", false, false)).isEmpty();
        assertThat(tokenizer.decode(new int[0])).isEmpty();
    }

    @Test
    void idsOutsideTheVocabularyAreRejectedWithACode() {
        var tokenizer = new SentencePieceTokenizer(TestModels.model(true, NormalizerSpec.llama(), TestModels.normal("\u2581")));
        assertThatThrownBy(() -> tokenizer.decode(new int[] {260}))
                .isInstanceOfSatisfying(Gpt4VideoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        assertThatThrownBy(() -> tokenizer.piece(-1)).isInstanceOf(Gpt4VideoException.class);
    }

    @Test
    void onlyBpeModelsAreAccepted() {
        SentencePieceModel bpe = TestModels.model(true, NormalizerSpec.llama(), TestModels.normal("\u2581"));
        var unigram = new SentencePieceModel(bpe.pieces(), new SentencePieceModel.TrainerSpec(1, 260, true, false, false,
                0, 1, 2, -1, SentencePieceModel.DEFAULT_UNK_SURFACE), bpe.normalizerSpec());
        assertThatThrownBy(() -> new SentencePieceTokenizer(unigram))
                .isInstanceOfSatisfying(Gpt4VideoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOKENIZER_INVALID));
    }

    @Test
    void modelChecksWhatSentencePieceChecksAtLoad() {
        List<Piece> noByte = TestModels.normal("\u2581");
        assertThatThrownBy(() -> TestModels.model(true, NormalizerSpec.llama(), List.of(new Piece("<0x00>", 0, PieceType.NORMAL))))
                .hasMessageContaining("defined twice");
        var missingBytes = new ArrayList<>(TestModels.model(false, NormalizerSpec.llama(), noByte).pieces());
        missingBytes.add(new Piece("<0x41>", 0, PieceType.BYTE));
        assertThatThrownBy(() -> new SentencePieceModel(missingBytes, SentencePieceModel.TrainerSpec.bpe(5, true), NormalizerSpec.llama()))
                .hasMessageContaining("1 of the 256 byte pieces");
        assertThatThrownBy(() -> new SentencePieceModel(missingBytes, SentencePieceModel.TrainerSpec.bpe(5, false), NormalizerSpec.llama()))
                .hasMessageContaining("byte_fallback is false");
    }
}
