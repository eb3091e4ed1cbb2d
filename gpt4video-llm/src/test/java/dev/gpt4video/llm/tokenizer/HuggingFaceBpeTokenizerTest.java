package dev.gpt4video.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tokenizer.json support: a converted real model against SentencePiece, and a tiny vocabulary by hand. */
class HuggingFaceBpeTokenizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> LEGACY_NORMALIZER = Map.of("type", "Sequence", "normalizers", List.of(
            Map.of("type", "Prepend", "prepend", "\u2581"),
            Map.of("type", "Replace", "pattern", Map.of("String", " "), "content", "\u2581")));

    @Test
    void convertedStories260kEncodesLikeTheSentencePieceModel(@TempDir Path dir) throws IOException {
        SentencePieceModel model = SentencePieceModel.read(Fixtures.dir("stories260k").resolve("tokenizer.model"));
        write(dir.resolve("tokenizer.json"), tokenizerJson(model));
        Tokenizer json = Tokenizer.load(dir);
        Tokenizer sentencePiece = new SentencePieceTokenizer(model);
        assertThat(json).isInstanceOf(HuggingFaceBpeTokenizer.class);
        assertThat(json.vocabSize()).isEqualTo(512);

        List<String> texts = new ArrayList<>();
        Fixtures.json(Fixtures.dir("llama2-tokenizer").resolve("golden.json")).forEach(e -> texts.add(e.get("text").asText()));
        Fixtures.json(Fixtures.dir("stories260k").resolve("golden.json")).forEach(e -> texts.add(e.get("prompt").asText()));
        for (String text : texts) {
            int[] ids = sentencePiece.encode(text, true, false);
            assertThat(json.encode(text, true, false)).as("'%s'", text).containsExactly(ids);
            assertThat(json.decode(ids)).isEqualTo(sentencePiece.decode(ids));
        }
    }

    @Test
    void tinyMetaspaceVocabularyByHand(@TempDir Path dir) throws IOException {
        write(dir.resolve("tokenizer.json"), tinyJson(null, Map.of(
                "type", "Metaspace", "replacement", "\u2581", "prepend_scheme", "first", "split", false)));
        Tokenizer tokenizer = Tokenizer.load(dir);
        // "▁ab▁ab": a+b (rank 0) twice, then ▁+ab (rank 2) twice.
        assertThat(tokenizer.encode("ab ab", true, true)).containsExactly(1, 8, 8, 2);
        // Metaspace adds no second ▁ before a leading space.
        assertThat(tokenizer.encode(" ab", false, false)).containsExactly(8);
        // é is not in the vocab: its bytes C3 A9 are.
        assertThat(tokenizer.encode("é", false, false)).containsExactly(3, 9, 10);
        // No byte pieces for "c": unknown, and a run of unknowns fuses into one <unk>.
        assertThat(tokenizer.encode("ccc", false, false)).containsExactly(3, 0);
        // The non-special added token is one unit; "first" means only the text start gets a ▁.
        assertThat(tokenizer.encode("a<video>b", false, false)).containsExactly(7, 11, 5);
        // Special tokens in the text stay text.
        assertThat(tokenizer.encode("</s>", false, false)).containsExactly(3, 0);

        assertThat(tokenizer.decode(new int[] {1, 8, 8, 2})).isEqualTo("ab ab");
        assertThat(tokenizer.decode(new int[] {3, 9, 10})).isEqualTo("é");
        assertThat(tokenizer.decode(new int[] {7, 11, 5})).isEqualTo("a<video>b");
        assertThat(tokenizer.isControl(2)).isTrue();
        assertThat(tokenizer.isControl(11)).isFalse();
    }

    @Test
    void legacyPrependNormalizerDoublesTheLeadingSpace(@TempDir Path dir) throws IOException {
        write(dir.resolve("tokenizer.json"), tinyJson(LEGACY_NORMALIZER, null));
        Tokenizer tokenizer = Tokenizer.load(dir);
        // Prepend then Replace: " ab" -> "▁▁ab" -> ▁ ▁ab, as SentencePiece does.
        assertThat(tokenizer.encode(" ab", false, false)).containsExactly(3, 8);
        assertThat(tokenizer.decode(new int[] {3, 8})).isEqualTo(" ab");
    }

    @Test
    void specialIdsComeFromTokenizerConfig(@TempDir Path dir) throws IOException {
        write(dir.resolve("tokenizer.json"), tinyJson(LEGACY_NORMALIZER, null));
        write(dir.resolve("tokenizer_config.json"), Map.of(
                "bos_token", Map.of("content", "</s>"), "eos_token", "<s>", "pad_token", "<unk>"));
        Tokenizer tokenizer = Tokenizer.load(dir);
        assertThat(new int[] {tokenizer.bosId(), tokenizer.eosId(), tokenizer.padId(), tokenizer.unkId()})
                .containsExactly(2, 1, 0, 0);
    }

    @Test
    void unsupportedOrBrokenFilesAreTokenizerInvalid(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{ not json");
        assertInvalid(file, "cannot read");

        Map<String, Object> byteLevel = tinyJson(null, Map.of("type", "ByteLevel"));
        write(file, byteLevel);
        assertInvalid(file, "ByteLevel");

        Map<String, Object> unigram = tinyJson(LEGACY_NORMALIZER, null);
        unigram.put("model", Map.of("type", "Unigram", "vocab", List.of()));
        write(file, unigram);
        assertInvalid(file, "Unigram");

        Map<String, Object> badMerge = tinyJson(LEGACY_NORMALIZER, null);
        @SuppressWarnings("unchecked")
        Map<String, Object> bpe = (Map<String, Object>) badMerge.get("model");
        bpe.put("merges", List.of("a c"));
        write(file, badMerge);
        assertInvalid(file, "a c");
    }

    private static void assertInvalid(Path file, String messagePart) {
        assertThatThrownBy(() -> Tokenizer.load(file))
                .isInstanceOfSatisfying(Gpt4VideoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TOKENIZER_INVALID))
                .hasMessageContaining(messagePart);
    }

    /**
     * ids: 0 <unk>, 1 <s>, 2 </s>, 3 ▁, 4 a, 5 b, 6 ab, 7 ▁a, 8 ▁ab, 9 <0xC3>, 10 <0xA9>, 11 <video> (added,
     * not special); merges "a b", "▁ a", "▁ ab".
     */
    private static Map<String, Object> tinyJson(Object normalizer, Object preTokenizer) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String piece : List.of("<unk>", "<s>", "</s>", "\u2581", "a", "b", "ab", "\u2581a", "\u2581ab", "<0xC3>", "<0xA9>")) {
            vocab.put(piece, vocab.size());
        }
        Map<String, Object> bpe = new LinkedHashMap<>();
        bpe.put("type", "BPE");
        bpe.put("unk_token", "<unk>");
        bpe.put("fuse_unk", true);
        bpe.put("byte_fallback", true);
        bpe.put("vocab", vocab);
        bpe.put("merges", List.of("a b", List.of("\u2581", "a"), "\u2581 ab"));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("added_tokens", List.of(
                added(0, "<unk>", true), added(1, "<s>", true), added(2, "</s>", true), added(11, "<video>", false)));
        root.put("normalizer", normalizer);
        root.put("pre_tokenizer", preTokenizer);
        root.put("model", bpe);
        return root;
    }

    /**
     * A Llama-style tokenizer.json for a SentencePiece BPE model, made the way the converters do it:
     * every split of a piece into two pieces is a merge, ranked by the merged piece's score.
     */
    private static Map<String, Object> tokenizerJson(SentencePieceModel model) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<SentencePieceModel.Piece> pieces = model.pieces();
        for (int id = 0; id < pieces.size(); id++) {
            vocab.put(pieces.get(id).text(), id);
        }
        List<Integer> byScore = new ArrayList<>();
        for (int id = 0; id < pieces.size(); id++) {
            byScore.add(id);
        }
        byScore.sort((x, y) -> Float.compare(pieces.get(y).score(), pieces.get(x).score()));
        List<String> merges = new ArrayList<>();
        for (int id : byScore) {
            String text = pieces.get(id).text();
            if (pieces.get(id).type() != PieceType.NORMAL) {
                continue;
            }
            for (int k = text.offsetByCodePoints(0, 1); k < text.length(); k = text.offsetByCodePoints(k, 1)) {
                Integer left = vocab.get(text.substring(0, k));
                Integer right = vocab.get(text.substring(k));
                if (left != null && right != null
                        && pieces.get(left).type() == PieceType.NORMAL && pieces.get(right).type() == PieceType.NORMAL) {
                    merges.add(text.substring(0, k) + " " + text.substring(k));
                }
            }
        }
        Map<String, Object> bpe = new LinkedHashMap<>();
        bpe.put("type", "BPE");
        bpe.put("unk_token", "<unk>");
        bpe.put("fuse_unk", true);
        bpe.put("byte_fallback", true);
        bpe.put("vocab", vocab);
        bpe.put("merges", merges);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("added_tokens", List.of(added(0, "<unk>", true), added(1, "<s>", true), added(2, "</s>", true)));
        root.put("normalizer", LEGACY_NORMALIZER);
        root.put("pre_tokenizer", null);
        root.put("model", bpe);
        return root;
    }

    private static Map<String, Object> added(int id, String content, boolean special) {
        return Map.of("id", id, "content", content, "special", special, "normalized", false);
    }

    private static void write(Path file, Object json) throws IOException {
        JSON.writeValue(file.toFile(), json);
    }
}
