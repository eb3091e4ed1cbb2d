package dev.gpt4video.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gpt4video.llm.tokenizer.SentencePieceModel.NormalizerSpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Incremental decoding on a tiny byte-fallback vocabulary: ▁=259, a=260, ▁a=261, b=262. */
class StreamDecoderTest {
    private static final int BYTE0 = 3;
    private Tokenizer tokenizer;

    @BeforeEach
    void setUp() {
        tokenizer = new SentencePieceTokenizer(
                TestModels.model(true, NormalizerSpec.llama(), TestModels.normal("\u2581", "a", "\u2581a", "b")));
    }

    @Test
    void holdsAnEmojiUntilAllFourBytesArrived() {
        StreamDecoder stream = tokenizer.newStreamDecoder();
        assertThat(stream.push(261)).isEqualTo("a");
        assertThat(stream.push(BYTE0 + 0xF0)).isEmpty();
        assertThat(stream.push(BYTE0 + 0x9F)).isEmpty();
        assertThat(stream.push(BYTE0 + 0x98)).isEmpty();
        assertThat(stream.push(BYTE0 + 0x80)).isEqualTo("😀");
        assertThat(stream.push(262)).isEqualTo("b");
        assertThat(stream.flush()).isEmpty();
    }

    @Test
    void releasesAFinishedCharacterEvenWhenTheNextOneIsStillIncomplete() {
        StreamDecoder stream = tokenizer.newStreamDecoder();
        assertThat(stream.push(BYTE0 + 0xC3)).isEmpty();
        // A9 completes é; E2 starts a three-byte character that is not complete yet.
        assertThat(stream.push(BYTE0 + 0xA9)).isEqualTo("é");
        assertThat(stream.push(BYTE0 + 0xE2)).isEmpty();
        assertThat(stream.push(BYTE0 + 0x82)).isEmpty();
        assertThat(stream.push(BYTE0 + 0xAC)).isEqualTo("€");
    }

    @Test
    void incompleteBytesBecomeOneReplacementCharacterEach() {
        StreamDecoder stream = tokenizer.newStreamDecoder();
        assertThat(stream.push(BYTE0 + 0xF0)).isEmpty();
        assertThat(stream.push(BYTE0 + 0x9F)).isEmpty();
        assertThat(stream.flush()).isEqualTo("\uFFFD\uFFFD");
        // A text piece also ends the byte run, as in SentencePiece's decode.
        int[] ids = {BYTE0 + 0xF0, BYTE0 + 0x9F, 262};
        assertThat(tokenizer.decode(ids)).isEqualTo("\uFFFD\uFFFDb");
        assertThat(streamed(ids)).isEqualTo(tokenizer.decode(ids));
    }

    @Test
    void bytesThatCanNeverStartACharacterAreReplacedAtOnce() {
        StreamDecoder stream = tokenizer.newStreamDecoder();
        assertThat(stream.push(BYTE0 + 0x80)).isEqualTo("\uFFFD");
        assertThat(stream.push(BYTE0 + 0xFF)).isEqualTo("\uFFFD");
        // A lead byte followed by a non-continuation byte is broken as soon as that byte arrives.
        assertThat(stream.push(BYTE0 + 0xE2)).isEmpty();
        assertThat(stream.push(BYTE0 + 0x41)).isEqualTo("\uFFFDA");
    }

    @Test
    void firstPieceLosesTheDummyPrefixSpaceOnly() {
        assertThat(streamed(new int[] {261, 261})).isEqualTo("a a");
        // Control tokens decode to nothing and do not count as the first piece.
        assertThat(streamed(new int[] {1, 261, 2})).isEqualTo("a");
        // A lone ▁ first is the dummy prefix; the next piece keeps its space (" leading" in Llama).
        assertThat(streamed(new int[] {259, 261})).isEqualTo(" a");
        // After text from bytes the space is real.
        assertThat(streamed(new int[] {BYTE0 + 0x41, 261})).isEqualTo("A a");
    }

    @Test
    void streamingMatchesDecodeOnRandomIdSequences() {
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            int[] ids = new int[random.nextInt(12)];
            for (int i = 0; i < ids.length; i++) {
                // Mostly bytes, so partial and broken UTF-8 sequences are common.
                ids[i] = random.nextInt(4) == 0 ? random.nextInt(tokenizer.vocabSize()) : BYTE0 + 0x80 + random.nextInt(0x78);
            }
            assertThat(streamed(ids)).isEqualTo(decodeAllAtOnce(ids));
        }
    }

    private String streamed(int[] ids) {
        StreamDecoder stream = tokenizer.newStreamDecoder();
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            String chunk = stream.push(id);
            // Never half a surrogate pair at a chunk's end.
            assertThat(chunk.isEmpty() || !Character.isHighSurrogate(chunk.charAt(chunk.length() - 1))).isTrue();
            text.append(chunk);
        }
        return text.append(stream.flush()).toString();
    }

    /** SentencePiece's ProcessBytePieces, written out independently: whole runs, one character at a time. */
    private String decodeAllAtOnce(int[] ids) {
        StringBuilder text = new StringBuilder();
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        boolean atStart = true;
        boolean consumed = false;
        for (int i = 0; i <= ids.length; i++) {
            boolean isByte = i < ids.length && tokenizer.piece(ids[i]).startsWith("<0x");
            if (isByte) {
                run.write(Integer.parseInt(tokenizer.piece(ids[i]).substring(3, 5), 16));
                continue;
            }
            byte[] bytes = run.toByteArray();
            run.reset();
            for (int offset = 0; offset < bytes.length; ) {
                String character = strictCharacterAt(bytes, offset);
                text.append(character == null ? "\uFFFD" : character);
                offset += character == null ? 1 : character.getBytes(StandardCharsets.UTF_8).length;
            }
            if (i == ids.length) {
                break;
            }
            if (consumed || !text.isEmpty()) {
                atStart = false;
            }
            String piece = tokenizer.piece(ids[i]);
            consumed = false;
            if (tokenizer.isControl(ids[i])) {
                piece = "";
            } else if (ids[i] == tokenizer.unkId()) {
                piece = " \u2047 ";
            } else if (atStart && piece.startsWith("\u2581")) {
                piece = piece.substring(1);
                consumed = true;
            }
            text.append(piece.replace('\u2581', ' '));
        }
        return text.toString();
    }

    /** The one character that 1 to 4 bytes at {@code offset} strictly decode to, via the JDK's decoder. */
    private static String strictCharacterAt(byte[] bytes, int offset) {
        for (int length = 1; length <= 4 && offset + length <= bytes.length; length++) {
            try {
                String decoded = StandardCharsets.UTF_8.newDecoder()
                        .decode(ByteBuffer.wrap(bytes, offset, length)).toString();
                if (decoded.codePointCount(0, decoded.length()) == 1) {
                    return decoded;
                }
            } catch (CharacterCodingException e) {
                // not a whole character at this length; try a longer one
            }
        }
        return null;
    }
}
