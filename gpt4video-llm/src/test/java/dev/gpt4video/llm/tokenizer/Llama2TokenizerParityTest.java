package dev.gpt4video.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Llama 2 tokenizer against SentencePiece: exact ids, pieces and decoded text.
 * Golden: SentencePiece 0.1.97 {@code encode}/{@code id_to_piece}/{@code decode} (see the fixture README).
 */
class Llama2TokenizerParityTest {
    private static Tokenizer tokenizer;
    private static JsonNode golden;

    /** Checked per test, so a missing fixture shows as skipped tests with the path, loaded once. */
    @BeforeEach
    void load() {
        Path dir = Fixtures.dir("llama2-tokenizer");
        if (tokenizer == null) {
            tokenizer = Tokenizer.load(dir);
            golden = Fixtures.json(dir.resolve("golden.json"));
        }
    }

    @Test
    void loadsLlamaSpecialIds() {
        assertThat(tokenizer).isInstanceOf(SentencePieceTokenizer.class);
        assertThat(tokenizer.vocabSize()).isEqualTo(32000);
        assertThat(new int[] {tokenizer.unkId(), tokenizer.bosId(), tokenizer.eosId(), tokenizer.padId()})
                .containsExactly(0, 1, 2, -1);
        assertThat(tokenizer.isControl(1)).isTrue();
        assertThat(tokenizer.isControl(2)).isTrue();
        assertThat(tokenizer.isControl(0)).isFalse();
        assertThat(tokenizer.piece(3)).isEqualTo("<0x00>");
        assertThat(tokenizer.piece(258)).isEqualTo("<0xFF>");
    }

    @Test
    void encodesEveryGoldenEntry() {
        assertThat(golden.size()).isEqualTo(44);
        for (JsonNode entry : golden) {
            String text = entry.get("text").asText();
            int[] ids = tokenizer.encode(text, false, false);
            assertThat(ids).as("ids of %s", quote(text)).containsExactly(Fixtures.ints(entry.get("ids")));
            List<String> pieces = new ArrayList<>();
            for (int id : ids) {
                pieces.add(tokenizer.piece(id));
            }
            List<String> expectedPieces = new ArrayList<>();
            entry.get("pieces").forEach(p -> expectedPieces.add(p.asText()));
            assertThat(pieces).as("pieces of %s", quote(text)).isEqualTo(expectedPieces);
        }
    }

    @Test
    void decodesEveryGoldenEntry() {
        for (JsonNode entry : golden) {
            int[] ids = Fixtures.ints(entry.get("ids"));
            assertThat(tokenizer.decode(ids)).as("decode of %s", entry.get("ids"))
                    .isEqualTo(entry.get("decoded").asText());
        }
    }

    @Test
    void streamingDecodeAddsUpToDecodedWithoutReplacementCharacters() {
        for (JsonNode entry : golden) {
            StreamDecoder stream = tokenizer.newStreamDecoder();
            StringBuilder text = new StringBuilder();
            for (int id : Fixtures.ints(entry.get("ids"))) {
                String chunk = stream.push(id);
                assertThat(chunk).as("chunk for id %d in %s", id, entry.get("ids")).doesNotContain("\uFFFD");
                text.append(chunk);
            }
            String rest = stream.flush();
            assertThat(rest).isEmpty();
            assertThat(text.toString()).isEqualTo(entry.get("decoded").asText());
        }
    }

    @Test
    void bosAndEosAreAddedOnlyWhenAsked() {
        assertThat(tokenizer.encode("Hello world", true, true)).containsExactly(1, 15043, 3186, 2);
        assertThat(tokenizer.encode("", true, false)).containsExactly(1);
        assertThat(tokenizer.decode(new int[] {1, 15043, 3186, 2})).isEqualTo("Hello world");
    }

    @Test
    void encodesALongPromptInOnePass() {
        String paragraph = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. ";
        String text = paragraph.repeat(200);
        int[] ids = tokenizer.encode(text, false, false);
        int[] once = tokenizer.encode(paragraph.strip(), false, false);
        // Every paragraph after the first starts after a space, so it tokenizes like the first one.
        assertThat(ids.length).isBetween(once.length * 200, once.length * 200 + 200);
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
    }

    private static String quote(String text) {
        return "'" + text.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }
}
