package dev.gpt4video.llm.tokenizer;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The id-to-piece table both tokenizers share, with the lookups encoding and decoding need. */
final class Vocabulary {
    private final String[] pieces;
    private final PieceType[] types;
    private final Map<String, Integer> ids;
    private final int[] byteValues;
    private final int[] byteIds = new int[256];

    Vocabulary(String[] pieces, PieceType[] types) {
        this.pieces = pieces.clone();
        this.types = types.clone();
        this.ids = HashMap.newHashMap(pieces.length);
        this.byteValues = new int[pieces.length];
        Arrays.fill(byteIds, -1);
        for (int id = 0; id < pieces.length; id++) {
            ids.putIfAbsent(pieces[id], id);
            byteValues[id] = types[id] == PieceType.BYTE ? byteValue(pieces[id]) : -1;
            if (byteValues[id] >= 0 && byteIds[byteValues[id]] < 0) {
                byteIds[byteValues[id]] = id;
            }
        }
    }

    int size() {
        return pieces.length;
    }

    String piece(int id) {
        return pieces[check(id)];
    }

    PieceType type(int id) {
        return types[check(id)];
    }

    /** The id of the piece with exactly this text, or -1. */
    int id(String piece) {
        Integer id = ids.get(piece);
        return id == null ? -1 : id;
    }

    /** The id of the {@code <0xXX>} piece for this byte, or -1. */
    int byteId(int unsignedByte) {
        return byteIds[unsignedByte];
    }

    /** The byte a {@link PieceType#BYTE} piece stands for, or -1 for any other piece. */
    int byteValueOf(int id) {
        return byteValues[check(id)];
    }

    int check(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                    "token id " + id + " is outside the vocabulary [0, " + pieces.length + ")");
        }
        return id;
    }

    /** Parses SentencePiece's byte piece spelling {@code <0xXX>} (upper-case hex); -1 if it is not one. */
    static int byteValue(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int high = Character.digit(piece.charAt(3), 16);
        int low = Character.digit(piece.charAt(4), 16);
        if (high < 0 || low < 0 || Character.isLowerCase(piece.charAt(3)) || Character.isLowerCase(piece.charAt(4))) {
            return -1;
        }
        return high << 4 | low;
    }

    static String bytePiece(int unsignedByte) {
        return String.format("<0x%02X>", unsignedByte);
    }
}
