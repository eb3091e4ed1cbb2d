package dev.gpt4video.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The protobuf reader on good and broken model files: broken ones fail only with TOKENIZER_INVALID. */
class SentencePieceModelTest {
    private static final String TEXT = "Hello 🦙 world, naïve café\n\tdone";

    @Test
    void readsTheStories260kModelFields() {
        SentencePieceModel model = SentencePieceModel.read(Fixtures.dir("stories260k").resolve("tokenizer.model"));
        assertThat(model.pieces()).hasSize(512);
        assertThat(model.pieces().get(3)).isEqualTo(new SentencePieceModel.Piece("<0x00>", 0f, PieceType.BYTE));
        assertThat(model.trainerSpec()).isEqualTo(new SentencePieceModel.TrainerSpec(
                2, 512, true, true, false, 0, 1, 2, -1, " \u2047 "));
        assertThat(model.normalizerSpec()).isEqualTo(SentencePieceModel.NormalizerSpec.llama());
    }

    @Test
    void everyTruncationOfAPieceIsRejected() throws IOException {
        byte[] good = fixtureBytes();
        // The pieces come first; cutting anywhere inside them leaves a torn field or the UNIGRAM default.
        for (int length : new int[] {0, 1, 2, 7, 100, good.length / 2, 7000}) {
            byte[] cut = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> load(cut)).as("length %d", length)
                    .isInstanceOfSatisfying(Gpt4VideoException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TOKENIZER_INVALID));
        }
    }

    @Test
    void randomCorruptionsFailOnlyWithTokenizerInvalid() throws IOException {
        byte[] good = fixtureBytes();
        Random random = new Random(20240531);
        int rejected = 0;
        for (int round = 0; round < 300; round++) {
            byte[] bad = switch (round % 3) {
                case 0 -> Arrays.copyOf(good, random.nextInt(good.length));
                case 1 -> flipBytes(good, random, 1 + random.nextInt(8));
                default -> randomBytes(random, random.nextInt(2000));
            };
            try {
                // Some flips only change a score or a letter and leave a valid model; that one must work.
                Tokenizer tokenizer = load(bad);
                assertThat(tokenizer.decode(tokenizer.encode(TEXT, true, true))).isNotNull();
            } catch (Gpt4VideoException e) {
                assertThat(e.code()).as("round %d", round).isEqualTo(ErrorCode.TOKENIZER_INVALID);
                rejected++;
            } catch (Throwable other) {
                fail("round " + round + " threw " + other, other);
            }
        }
        assertThat(rejected).isGreaterThan(150);
    }

    @Test
    void missingFileIsTokenizerInvalid(@TempDir Path dir) {
        assertThatThrownBy(() -> Tokenizer.load(dir))
                .isInstanceOfSatisfying(Gpt4VideoException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.TOKENIZER_INVALID))
                .hasMessageContaining("tokenizer.model");
    }

    @Test
    void normalizationRulesAreRejectedRatherThanIgnored() {
        // normalizer_spec { precompiled_charsmap: "\1" } after a valid model.
        byte[] good = SentencePieceWriter.toBytes(TestModels.model(false,
                SentencePieceModel.NormalizerSpec.llama(), TestModels.normal("\u2581")));
        byte[] extra = {0x1A, 0x03, 0x12, 0x01, 0x01};
        byte[] withRules = Arrays.copyOf(good, good.length + extra.length);
        System.arraycopy(extra, 0, withRules, good.length, extra.length);
        assertThatThrownBy(() -> SentencePieceModel.parse(withRules, "rules.model"))
                .hasMessageContaining("precompiled_charsmap");
    }

    private static Tokenizer load(byte[] bytes) {
        return new SentencePieceTokenizer(SentencePieceModel.parse(bytes, "corrupt.model"));
    }

    private static byte[] fixtureBytes() throws IOException {
        return Files.readAllBytes(Fixtures.dir("stories260k").resolve("tokenizer.model"));
    }

    private static byte[] flipBytes(byte[] good, Random random, int count) {
        byte[] bad = good.clone();
        for (int i = 0; i < count; i++) {
            bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
        }
        return bad;
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
