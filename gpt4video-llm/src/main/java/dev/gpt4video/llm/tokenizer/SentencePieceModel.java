package dev.gpt4video.llm.tokenizer;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The contents of a SentencePiece {@code tokenizer.model} ({@code ModelProto}) that tokenizing
 * needs: the pieces, the special ids and the whitespace rules. The compact constructor checks what
 * SentencePiece checks at load (non-empty unique pieces, one {@code <unk>}, byte pieces exactly when
 * {@code byte_fallback}), so a bad file fails here with {@link ErrorCode#TOKENIZER_INVALID}.
 *
 * <p>Only identity normalization is represented: {@link #parse} rejects a file carrying a
 * {@code precompiled_charsmap} (an NFKC-style rule table), since ignoring it would tokenize
 * differently from SentencePiece without any sign of it.
 *
 * <pre>{@code
 * SentencePieceModel model = SentencePieceModel.read(dir.resolve("tokenizer.model"));
 * Tokenizer tokenizer = new SentencePieceTokenizer(model);
 * }</pre>
 */
public record SentencePieceModel(List<Piece> pieces, TrainerSpec trainerSpec, NormalizerSpec normalizerSpec) {
    /** {@code TrainerSpec.model_type} of BPE models, the only kind {@link SentencePieceTokenizer} runs. */
    public static final int MODEL_TYPE_BPE = 2;
    /** SentencePiece's default {@code unk_surface}: U+2047 between spaces. */
    public static final String DEFAULT_UNK_SURFACE = " \u2047 ";

    /** One vocabulary entry; its index in {@link #pieces()} is its id. */
    public record Piece(String text, float score, PieceType type) {
        public Piece {
            if (text == null || text.isEmpty()) {
                throw invalid("a piece must not be empty");
            }
            if (type == null) {
                throw invalid("piece '" + text + "' has no type");
            }
        }
    }

    /** The {@code TrainerSpec} fields that matter after training. Ids are -1 when the model has none. */
    public record TrainerSpec(int modelType, int vocabSize, boolean byteFallback, boolean splitDigits,
                              boolean treatWhitespaceAsSuffix, int unkId, int bosId, int eosId, int padId,
                              String unkSurface) {
        public TrainerSpec {
            Objects.requireNonNull(unkSurface, "unkSurface");
        }

        /** A BPE spec with SentencePiece's usual special ids: unk 0, bos 1, eos 2, no pad. */
        public static TrainerSpec bpe(int vocabSize, boolean byteFallback) {
            return new TrainerSpec(MODEL_TYPE_BPE, vocabSize, byteFallback, false, false, 0, 1, 2, -1,
                    DEFAULT_UNK_SURFACE);
        }
    }

    /** The {@code NormalizerSpec} whitespace rules; {@code name} is informational ("identity"). */
    public record NormalizerSpec(String name, boolean addDummyPrefix, boolean removeExtraWhitespaces,
                                 boolean escapeWhitespaces) {
        public NormalizerSpec {
            Objects.requireNonNull(name, "name");
        }

        /** What Llama's tokenizer uses: dummy prefix on, spaces kept as they are, escaped to U+2581. */
        public static NormalizerSpec llama() {
            return new NormalizerSpec("identity", true, false, true);
        }
    }

    public SentencePieceModel {
        pieces = List.copyOf(pieces);
        Objects.requireNonNull(trainerSpec, "trainerSpec");
        Objects.requireNonNull(normalizerSpec, "normalizerSpec");
        if (pieces.isEmpty()) {
            throw invalid("the model has no pieces");
        }
        Map<String, Integer> seen = new HashMap<>();
        int unknownCount = 0;
        int byteCount = 0;
        for (int id = 0; id < pieces.size(); id++) {
            Piece piece = pieces.get(id);
            Integer previous = seen.putIfAbsent(piece.text(), id);
            if (previous != null) {
                throw invalid("piece '" + piece.text() + "' is defined twice (ids " + previous + " and " + id + ")");
            }
            if (piece.type() == PieceType.UNKNOWN) {
                unknownCount++;
            }
            if (piece.type() == PieceType.BYTE) {
                if (!trainerSpec.byteFallback()) {
                    throw invalid("byte piece '" + piece.text() + "' found although byte_fallback is false");
                }
                if (Vocabulary.byteValue(piece.text()) < 0) {
                    throw invalid("byte piece '" + piece.text() + "' is not of the form <0xXX>");
                }
                byteCount++;
            }
        }
        if (unknownCount != 1) {
            throw invalid("the model must have exactly one UNKNOWN piece, found " + unknownCount);
        }
        int unk = trainerSpec.unkId();
        if (unk < 0 || unk >= pieces.size() || pieces.get(unk).type() != PieceType.UNKNOWN) {
            throw invalid("unk_id " + unk + " is not the UNKNOWN piece");
        }
        checkOptionalId("bos_id", trainerSpec.bosId(), pieces.size());
        checkOptionalId("eos_id", trainerSpec.eosId(), pieces.size());
        checkOptionalId("pad_id", trainerSpec.padId(), pieces.size());
        // Every byte must be reachable, or byte fallback would have nothing to fall back to.
        if (trainerSpec.byteFallback() && byteCount != 256) {
            throw invalid("byte_fallback is on but the model has " + byteCount + " of the 256 byte pieces");
        }
    }

    /** Reads and checks a {@code tokenizer.model} file. */
    public static SentencePieceModel read(Path file) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, "cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(data, file.toString());
    }

    /** Parses a serialized {@code ModelProto}; {@code source} names it in error messages. */
    public static SentencePieceModel parse(byte[] data, String source) {
        try {
            ProtobufReader reader = new ProtobufReader(data);
            List<Piece> pieces = new ArrayList<>();
            TrainerFields trainer = new TrainerFields();
            NormalizerFields normalizer = new NormalizerFields();
            while (reader.hasMore()) {
                int tag = reader.readTag();
                switch (ProtobufReader.fieldNumber(tag)) {
                    case 1 -> pieces.add(parsePiece(reader.message(tag)));
                    case 2 -> trainer.merge(reader.message(tag));
                    case 3 -> normalizer.merge(reader.message(tag));
                    default -> reader.skip(tag);
                }
            }
            return new SentencePieceModel(pieces, trainer.toSpec(), normalizer.toSpec());
        } catch (Gpt4VideoException e) {
            throw new Gpt4VideoException(e.code(), source + ": " + e.getMessage(), e);
        }
    }

    private static Piece parsePiece(ProtobufReader reader) {
        String text = "";
        float score = 0f;
        PieceType type = PieceType.NORMAL;
        while (reader.hasMore()) {
            int tag = reader.readTag();
            switch (ProtobufReader.fieldNumber(tag)) {
                case 1 -> text = reader.string(tag);
                case 2 -> score = reader.float32(tag);
                case 3 -> type = PieceType.fromProto(reader.varint(tag));
                default -> reader.skip(tag);
            }
        }
        return new Piece(text, score, type);
    }

    /** Proto2 defaults, overwritten field by field; a repeated message merges as protobuf does. */
    private static final class TrainerFields {
        int modelType = 1; // UNIGRAM is the proto default; the tokenizer rejects it
        int vocabSize = 8000;
        boolean byteFallback;
        boolean splitDigits;
        boolean treatWhitespaceAsSuffix;
        int unkId = 0;
        int bosId = 1;
        int eosId = 2;
        int padId = -1;
        String unkSurface = DEFAULT_UNK_SURFACE;

        void merge(ProtobufReader reader) {
            while (reader.hasMore()) {
                int tag = reader.readTag();
                switch (ProtobufReader.fieldNumber(tag)) {
                    case 3 -> modelType = reader.int32(tag);
                    case 4 -> vocabSize = reader.int32(tag);
                    case 24 -> treatWhitespaceAsSuffix = reader.bool(tag);
                    case 25 -> splitDigits = reader.bool(tag);
                    case 35 -> byteFallback = reader.bool(tag);
                    case 40 -> unkId = reader.int32(tag);
                    case 41 -> bosId = reader.int32(tag);
                    case 42 -> eosId = reader.int32(tag);
                    case 43 -> padId = reader.int32(tag);
                    case 44 -> unkSurface = reader.string(tag);
                    default -> reader.skip(tag);
                }
            }
        }

        TrainerSpec toSpec() {
            return new TrainerSpec(modelType, vocabSize, byteFallback, splitDigits, treatWhitespaceAsSuffix,
                    unkId, bosId, eosId, padId, unkSurface);
        }
    }

    private static final class NormalizerFields {
        String name = "";
        boolean addDummyPrefix = true;
        boolean removeExtraWhitespaces = true;
        boolean escapeWhitespaces = true;

        void merge(ProtobufReader reader) {
            while (reader.hasMore()) {
                int tag = reader.readTag();
                switch (ProtobufReader.fieldNumber(tag)) {
                    case 1 -> name = reader.string(tag);
                    case 2 -> {
                        if (reader.bytesLength(tag) > 0) {
                            throw reader.invalid("normalization rules (precompiled_charsmap) are not supported;"
                                    + " only identity normalization is");
                        }
                    }
                    case 3 -> addDummyPrefix = reader.bool(tag);
                    case 4 -> removeExtraWhitespaces = reader.bool(tag);
                    case 5 -> escapeWhitespaces = reader.bool(tag);
                    default -> reader.skip(tag);
                }
            }
        }

        NormalizerSpec toSpec() {
            return new NormalizerSpec(name, addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces);
        }
    }

    private static void checkOptionalId(String field, int id, int size) {
        if (id < -1 || id >= size) {
            throw invalid(field + " " + id + " is outside the vocabulary of " + size);
        }
    }

    private static Gpt4VideoException invalid(String message) {
        return new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, message);
    }
}
