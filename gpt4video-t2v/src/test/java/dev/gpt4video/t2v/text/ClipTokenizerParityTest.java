package dev.gpt4video.t2v.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gpt4video.t2v.testing.Golden;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exact token ids against t2v-tiny/golden/tokenizer_golden.json (transformers 4.33 slow
 * CLIPTokenizer, with and without ftfy 6.1.1, on the fixture's SD-2 style files, pad "!"), all 35
 * strings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClipTokenizerParityTest {
    private JsonNode cases;
    private ClipTokenizer ftfy;
    private ClipTokenizer basic;
    private ClipTokenizer padEos;

    @BeforeAll
    void load() {
        cases = Golden.read("tokenizer_golden.json").get("cases");
        var dir = Golden.dir().resolve("tokenizer");
        ftfy = ClipTokenizer.load(dir);
        basic = ClipTokenizer.load(dir, new ClipTokenizer.Options(TextCleaning.BASIC, null));
        padEos = ClipTokenizer.load(dir, new ClipTokenizer.Options(TextCleaning.FTFY, "<|endoftext|>"));
    }

    @Test
    void specialIdsComeFromTheFiles() {
        assertThat(ftfy.bosId()).isEqualTo(49406);
        assertThat(ftfy.eosId()).isEqualTo(49407);
        assertThat(ftfy.padId()).isZero();
        assertThat(padEos.padId()).isEqualTo(49407);
        assertThat(ftfy.maxLength()).isEqualTo(77);
        assertThat(ftfy.encode("")).startsWith(49406, 49407, 0, 0);
    }

    @Test
    void ftfyPathMatchesEveryString() {
        assertAll(ftfy, "hf_clip_tokenizer_slow_ftfy", "hf_ftfy_pad0");
    }

    @Test
    void basicPathMatchesEveryString() {
        assertAll(basic, "hf_clip_tokenizer_slow_no_ftfy", "hf_no_ftfy_pad0");
    }

    @Test
    void endOfTextPaddingMatchesEveryString() {
        assertAll(padEos, "hf_clip_tokenizer_slow_ftfy_pad_eos", "hf_ftfy_pad49407");
    }

    private void assertAll(ClipTokenizer tokenizer, String bpeKey, String idsKey) {
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] bpe = Golden.ints(c.get("bpe_ids").get(bpeKey));
            int[] ids = Golden.ints(c.get("input_ids_77").get(idsKey));
            int[] gotBpe = tokenizer.tokenize(text);
            int[] gotIds = tokenizer.encode(text);
            if (!java.util.Arrays.equals(bpe, gotBpe) || !java.util.Arrays.equals(ids, gotIds)) {
                failures.add(c.get("name").asText() + ": expected " + java.util.Arrays.toString(bpe) + " got "
                        + java.util.Arrays.toString(gotBpe) + " " + tokenizer.bpeTokens(text));
            }
        }
        assertThat(failures).as(bpeKey).isEmpty();
    }
}
