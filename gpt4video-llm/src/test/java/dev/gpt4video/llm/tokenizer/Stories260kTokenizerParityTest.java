package dev.gpt4video.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stories260K tokenizer against llama2.c: prompt ids from run.c's {@code encode(text, bos=1, eos=0)},
 * decoded text from SentencePiece 0.1.97 (see the fixture README). Exact match.
 */
class Stories260kTokenizerParityTest {
    private static Tokenizer tokenizer;
    private static JsonNode golden;

    /** Checked per test, so a missing fixture shows as skipped tests with the path, loaded once. */
    @BeforeEach
    void load() {
        Path dir = Fixtures.dir("stories260k");
        if (tokenizer == null) {
            tokenizer = Tokenizer.load(dir.resolve("tokenizer.model"));
            golden = Fixtures.json(dir.resolve("golden.json"));
        }
    }

    @Test
    void loadsTheSmallVocabulary() {
        assertThat(tokenizer.vocabSize()).isEqualTo(512);
        assertThat(new int[] {tokenizer.unkId(), tokenizer.bosId(), tokenizer.eosId(), tokenizer.padId()})
                .containsExactly(0, 1, 2, -1);
    }

    @Test
    void encodesPromptsLikeRunC() {
        assertThat(golden.size()).isEqualTo(8);
        for (JsonNode entry : golden) {
            String prompt = entry.get("prompt").asText();
            assertThat(tokenizer.encode(prompt, true, false)).as("prompt '%s'", prompt)
                    .containsExactly(Fixtures.ints(entry.get("prompt_ids")));
        }
    }

    @Test
    void decodesPromptAndGenerationLikeSentencePiece() {
        for (JsonNode entry : golden) {
            int[] prompt = Fixtures.ints(entry.get("prompt_ids"));
            int[] generated = Fixtures.ints(entry.get("generated_ids"));
            int[] ids = IntStream.concat(IntStream.of(prompt).skip(1), IntStream.of(generated)).toArray();
            assertThat(tokenizer.decode(ids)).as("prompt '%s'", entry.get("prompt").asText())
                    .isEqualTo(entry.get("decoded_text").asText());
        }
    }
}
