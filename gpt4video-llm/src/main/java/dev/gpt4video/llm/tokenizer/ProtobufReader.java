package dev.gpt4video.llm.tokenizer;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Just enough of the protobuf wire format to read a SentencePiece model: varints, fixed32,
 * length-delimited fields and skipping of unknown fields. Every malformation (truncation, an
 * overlong varint, a length past the end, a field read with the wrong wire type) becomes a
 * {@link Gpt4VideoException} with {@link ErrorCode#TOKENIZER_INVALID}.
 */
final class ProtobufReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] data;
    private final int limit;
    private int position;

    ProtobufReader(byte[] data) {
        this(data, 0, data.length);
    }

    private ProtobufReader(byte[] data, int start, int limit) {
        this.data = data;
        this.position = start;
        this.limit = limit;
    }

    boolean hasMore() {
        return position < limit;
    }

    /** Reads the next field's tag; use {@link #fieldNumber} and the typed readers on it. */
    int readTag() {
        int at = position;
        long tag = readVarint();
        int wireType = (int) (tag & 7);
        long field = tag >>> 3;
        if (field == 0 || field > 0x1FFF_FFFF) {
            throw invalid("bad field number " + field + " at byte " + at);
        }
        if (wireType != VARINT && wireType != FIXED64 && wireType != LENGTH_DELIMITED && wireType != FIXED32) {
            throw invalid("unsupported wire type " + wireType + " for field " + field + " at byte " + at);
        }
        return (int) tag;
    }

    static int fieldNumber(int tag) {
        return tag >>> 3;
    }

    long varint(int tag) {
        expect(tag, VARINT);
        return readVarint();
    }

    /** An {@code int32} field: negative values are written sign-extended to 64 bits. */
    int int32(int tag) {
        return (int) varint(tag);
    }

    boolean bool(int tag) {
        return varint(tag) != 0;
    }

    float float32(int tag) {
        expect(tag, FIXED32);
        require(4);
        int bits = (data[position] & 0xFF)
                | (data[position + 1] & 0xFF) << 8
                | (data[position + 2] & 0xFF) << 16
                | (data[position + 3] & 0xFF) << 24;
        position += 4;
        return Float.intBitsToFloat(bits);
    }

    String string(int tag) {
        int length = lengthPrefix(tag);
        try {
            String value = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, position, length))
                    .toString();
            position += length;
            return value;
        } catch (CharacterCodingException e) {
            throw invalid("string field " + fieldNumber(tag) + " at byte " + position + " is not valid UTF-8");
        }
    }

    int bytesLength(int tag) {
        int length = lengthPrefix(tag);
        position += length;
        return length;
    }

    /** A reader over an embedded message; this reader moves past it. */
    ProtobufReader message(int tag) {
        int length = lengthPrefix(tag);
        ProtobufReader nested = new ProtobufReader(data, position, position + length);
        position += length;
        return nested;
    }

    void skip(int tag) {
        switch (tag & 7) {
            case VARINT -> readVarint();
            case FIXED64 -> {
                require(8);
                position += 8;
            }
            case LENGTH_DELIMITED -> {
                // Not "position += lengthPrefix(tag)": Java would add to position's value from before the prefix.
                int length = lengthPrefix(tag);
                position += length;
            }
            case FIXED32 -> {
                require(4);
                position += 4;
            }
            default -> throw invalid("unsupported wire type " + (tag & 7));
        }
    }

    Gpt4VideoException invalid(String message) {
        return new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, message);
    }

    private int lengthPrefix(int tag) {
        expect(tag, LENGTH_DELIMITED);
        int at = position;
        long length = readVarint();
        if (length < 0 || length > limit - position) {
            throw invalid("length " + length + " at byte " + at + " runs past the end of its message");
        }
        return (int) length;
    }

    private long readVarint() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            require(1);
            byte b = data[position++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw invalid("varint longer than 10 bytes before byte " + position);
    }

    private void expect(int tag, int wireType) {
        if ((tag & 7) != wireType) {
            throw invalid("field " + fieldNumber(tag) + " has wire type " + (tag & 7) + ", expected " + wireType);
        }
    }

    private void require(int bytes) {
        if (limit - position < bytes) {
            throw invalid("truncated at byte " + position);
        }
    }
}
