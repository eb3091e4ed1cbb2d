package dev.gpt4video.llm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated ids into text one id at a time, for streaming responses. Byte-fallback pieces
 * that start a multi-byte UTF-8 character are held back until the character is complete, so no
 * pushed string ever ends in half a character; {@link #flush()} releases whatever is left, with
 * U+FFFD for bytes that never became a character. The pushes plus the flush add up to
 * {@link Tokenizer#decode} of the same ids: decode is in fact built on this class.
 *
 * <pre>{@code
 * StreamDecoder stream = tokenizer.newStreamDecoder();
 * for (int id : generated) sink.accept(stream.push(id));
 * sink.accept(stream.flush());
 * }</pre>
 *
 * <p>Not thread-safe: use one per sequence.
 */
public final class StreamDecoder {
    private static final char SPACE_SYMBOL = '\u2581';
    private static final String REPLACEMENT = "\uFFFD";

    private final Vocabulary vocabulary;
    private final boolean stripDummyPrefix;
    private final boolean stripAllLeadingSpace;
    private final String unkSurface;

    private byte[] pending = new byte[8];
    private int pendingLength;
    /** SentencePiece's is_bos_ws: a leading U+2581 of the next piece is still the dummy prefix. */
    private boolean atStart = true;
    /** SentencePiece's bos_ws_seen: the last piece gave up its leading U+2581 as the dummy prefix. */
    private boolean prefixConsumed;
    private boolean emittedText;

    /**
     * @param stripDummyPrefix drop the leading U+2581 of the first text piece, the space encoding added
     * @param stripAllLeadingSpace drop one leading U+2581 of every piece until text appears
     *     (SentencePiece does this when the model collapses whitespace)
     * @param unkSurface what an {@code <unk>} id decodes to
     */
    StreamDecoder(Vocabulary vocabulary, boolean stripDummyPrefix, boolean stripAllLeadingSpace, String unkSurface) {
        this.vocabulary = vocabulary;
        this.stripDummyPrefix = stripDummyPrefix || stripAllLeadingSpace;
        this.stripAllLeadingSpace = stripAllLeadingSpace;
        this.unkSurface = unkSurface;
    }

    /** Adds one id and returns the text that became final with it (often empty, never half a character). */
    public String push(int id) {
        int byteValue = vocabulary.byteValueOf(id);
        if (byteValue >= 0) {
            if (pendingLength == pending.length) {
                pending = Arrays.copyOf(pending, pending.length * 2);
            }
            pending[pendingLength++] = (byte) byteValue;
            return drainBytes(false);
        }
        String bytes = drainBytes(true);
        // SentencePiece decides this only at a non-byte piece, after the byte run before it is text.
        if (prefixConsumed || emittedText) {
            atStart = false;
        }
        String text = pieceText(id);
        if (!text.isEmpty()) {
            emittedText = true;
        }
        return bytes.isEmpty() ? text : bytes + text;
    }

    /** Ends the sequence: returns held-back bytes, each byte that is not a whole character as U+FFFD. */
    public String flush() {
        return drainBytes(true);
    }

    private String pieceText(int id) {
        String piece = vocabulary.piece(id);
        switch (vocabulary.type(id)) {
            case CONTROL -> {
                prefixConsumed = false;
                return "";
            }
            case UNKNOWN -> {
                prefixConsumed = false;
                return unkSurface;
            }
            default -> {
                boolean consumed = false;
                if (atStart && stripDummyPrefix && piece.charAt(0) == SPACE_SYMBOL) {
                    piece = piece.substring(1);
                    consumed = true;
                }
                // With whitespace collapsing every leading space is dropped, so the flag stays unset.
                prefixConsumed = consumed && !stripAllLeadingSpace;
                return piece.replace(SPACE_SYMBOL, ' ');
            }
        }
    }

    /**
     * Converts pending bytes to text the way SentencePiece does: a valid UTF-8 character at a time,
     * and U+FFFD for one byte where none starts. Unless {@code last}, a character whose remaining
     * bytes may still come is kept for later.
     */
    private String drainBytes(boolean last) {
        if (pendingLength == 0) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        int offset = 0;
        while (offset < pendingLength) {
            if (!last && mayStillComplete(offset)) {
                break;
            }
            int length = validCharLength(pending, offset, pendingLength);
            if (length == 0) {
                out.append(REPLACEMENT);
                offset++;
            } else {
                out.append(new String(pending, offset, length, StandardCharsets.UTF_8));
                offset += length;
            }
        }
        System.arraycopy(pending, offset, pending, 0, pendingLength - offset);
        pendingLength -= offset;
        if (!out.isEmpty()) {
            emittedText = true;
        }
        return out.toString();
    }

    /** True when the bytes from {@code offset} are a lead byte and continuation bytes, but too few. */
    private boolean mayStillComplete(int offset) {
        int needed = sequenceLength(pending[offset]);
        if (needed <= 1 || pendingLength - offset >= needed) {
            return false;
        }
        for (int i = offset + 1; i < pendingLength; i++) {
            if (!isContinuation(pending[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * The length of the valid UTF-8 character at {@code offset}, or 0 when there is none. Mirrors
     * SentencePiece's {@code DecodeUTF8}: no overlong forms, no surrogates, nothing above U+10FFFF.
     */
    static int validCharLength(byte[] bytes, int offset, int limit) {
        int b0 = bytes[offset] & 0xFF;
        int available = limit - offset;
        int needed = sequenceLength(bytes[offset]);
        if (needed == 1) {
            return 1;
        }
        if (needed == 0 || available < needed) {
            return 0;
        }
        int codePoint = b0 & (0xFF >> (needed + 1));
        for (int i = 1; i < needed; i++) {
            byte b = bytes[offset + i];
            if (!isContinuation(b)) {
                return 0;
            }
            codePoint = codePoint << 6 | (b & 0x3F);
        }
        int smallest = switch (needed) {
            case 2 -> 0x80;
            case 3 -> 0x800;
            default -> 0x10000;
        };
        boolean valid = codePoint >= smallest && codePoint <= 0x10FFFF && (codePoint < 0xD800 || codePoint > 0xDFFF);
        return valid ? needed : 0;
    }

    /** How many bytes a sequence starting with this byte has: 1 to 4, or 0 if it cannot start one. */
    private static int sequenceLength(byte lead) {
        int b = lead & 0xFF;
        if (b < 0x80) {
            return 1;
        } else if ((b & 0xE0) == 0xC0) {
            return 2;
        } else if ((b & 0xF0) == 0xE0) {
            return 3;
        } else if ((b & 0xF8) == 0xF0) {
            return 4;
        }
        return 0;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
