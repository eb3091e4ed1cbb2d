package dev.gpt4video.llm.tokenizer;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.tokenizer.SentencePieceModel.NormalizerSpec;
import dev.gpt4video.llm.tokenizer.SentencePieceModel.Piece;
import dev.gpt4video.llm.tokenizer.SentencePieceModel.TrainerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Serializes a {@link SentencePieceModel} as a {@code tokenizer.model} ({@code ModelProto}) that
 * SentencePiece itself can load, so a generated demo model ships a real tokenizer file. Fields are
 * written in field-number order, as protobuf serializers do.
 */
public final class SentencePieceWriter {
    private SentencePieceWriter() {
    }

    public static void write(SentencePieceModel model, Path file) {
        try {
            Files.write(file, toBytes(model));
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static byte[] toBytes(SentencePieceModel model) {
        ProtobufWriter proto = new ProtobufWriter();
        for (Piece piece : model.pieces()) {
            proto.message(1, new ProtobufWriter()
                    .string(1, piece.text())
                    .float32(2, piece.score())
                    .varint(3, piece.type().protoValue()));
        }
        TrainerSpec trainer = model.trainerSpec();
        proto.message(2, new ProtobufWriter()
                .int32(3, trainer.modelType())
                .int32(4, trainer.vocabSize())
                .bool(24, trainer.treatWhitespaceAsSuffix())
                .bool(25, trainer.splitDigits())
                .bool(35, trainer.byteFallback())
                .int32(40, trainer.unkId())
                .int32(41, trainer.bosId())
                .int32(42, trainer.eosId())
                .int32(43, trainer.padId())
                .string(44, trainer.unkSurface()));
        NormalizerSpec normalizer = model.normalizerSpec();
        proto.message(3, new ProtobufWriter()
                .string(1, normalizer.name())
                .bool(3, normalizer.addDummyPrefix())
                .bool(4, normalizer.removeExtraWhitespaces())
                .bool(5, normalizer.escapeWhitespaces()));
        return proto.toByteArray();
    }
}
