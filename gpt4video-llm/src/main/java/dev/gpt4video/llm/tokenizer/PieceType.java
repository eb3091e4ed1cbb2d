package dev.gpt4video.llm.tokenizer;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

/**
 * What a vocabulary entry is, with the numbers SentencePiece's {@code ModelProto.SentencePiece.Type}
 * gives them. Only {@link #NORMAL}, {@link #USER_DEFINED} and {@link #UNUSED} pieces take part in
 * merges; {@link #CONTROL} pieces such as {@code <s>} are never produced from text.
 */
public enum PieceType {
    NORMAL(1),
    UNKNOWN(2),
    CONTROL(3),
    USER_DEFINED(4),
    UNUSED(5),
    BYTE(6);

    private final int protoValue;

    PieceType(int protoValue) {
        this.protoValue = protoValue;
    }

    /** The enum number in {@code sentencepiece_model.proto}. */
    public int protoValue() {
        return protoValue;
    }

    /** The type with this proto enum number; an unknown number means a broken model file. */
    public static PieceType fromProto(long value) {
        for (PieceType type : values()) {
            if (type.protoValue == value) {
                return type;
            }
        }
        throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, "unknown piece type " + value);
    }

    /** Whether BPE may produce this piece by merging two adjacent symbols. */
    boolean isMergeable() {
        return this == NORMAL || this == USER_DEFINED || this == UNUSED;
    }
}
