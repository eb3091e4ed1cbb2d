package dev.gpt4video.llm.tokenizer;

import dev.gpt4video.llm.tokenizer.SentencePieceModel.NormalizerSpec;
import dev.gpt4video.llm.tokenizer.SentencePieceModel.Piece;
import dev.gpt4video.llm.tokenizer.SentencePieceModel.TrainerSpec;
import java.util.ArrayList;
import java.util.List;

/** Tiny hand-made SentencePiece models whose expected ids can be worked out on paper. */
final class TestModels {
    private TestModels() {
    }

    /**
     * ids: 0 {@code <unk>}, 1 {@code <s>}, 2 {@code </s>}, then (with byte fallback) 3..258 the bytes,
     * then the given pieces with falling scores in the order given.
     */
    static SentencePieceModel model(boolean byteFallback, NormalizerSpec normalizer, List<Piece> extra) {
        List<Piece> pieces = new ArrayList<>();
        pieces.add(new Piece("<unk>", 0, PieceType.UNKNOWN));
        pieces.add(new Piece("<s>", 0, PieceType.CONTROL));
        pieces.add(new Piece("</s>", 0, PieceType.CONTROL));
        if (byteFallback) {
            for (int b = 0; b < 256; b++) {
                pieces.add(new Piece(String.format("<0x%02X>", b), 0, PieceType.BYTE));
            }
        }
        pieces.addAll(extra);
        return new SentencePieceModel(pieces, TrainerSpec.bpe(pieces.size(), byteFallback), normalizer);
    }

    static List<Piece> normal(String... texts) {
        List<Piece> pieces = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            pieces.add(new Piece(texts[i], -i, PieceType.NORMAL));
        }
        return pieces;
    }
}
