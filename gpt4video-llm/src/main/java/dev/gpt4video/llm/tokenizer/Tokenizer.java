package dev.gpt4video.llm.tokenizer;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Text to token ids and back, the way the model's own tokenizer does it. Control pieces such as
 * {@code <s>} are only ever added through {@code addBos}/{@code addEos}: the same characters inside
 * the text are tokenized as plain text, so a user cannot smuggle a control token into a prompt.
 * Implementations are immutable and safe to share between threads; a {@link StreamDecoder} is not.
 *
 * <pre>{@code
 * Tokenizer tokenizer = Tokenizer.load(modelDir);   // tokenizer.model, else tokenizer.json
 * int[] ids = tokenizer.encode("Describe the video.", true, false);
 * String text = tokenizer.decode(ids);
 * }</pre>
 */
public interface Tokenizer {
    /** Encodes text, with the BOS id first and/or the EOS id last when asked and the model has them. */
    int[] encode(String text, boolean addBos, boolean addEos);

    /**
     * Decodes ids as SentencePiece does: control ids vanish, byte pieces are joined back into UTF-8
     * (U+FFFD for bytes that are not a whole character), and the dummy-prefix space is removed.
     */
    default String decode(int[] ids) {
        StreamDecoder stream = newStreamDecoder();
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            text.append(stream.push(id));
        }
        return text.append(stream.flush()).toString();
    }

    /** The vocabulary entry of this id, e.g. {@code ▁Hello} or {@code <0x0A>}. */
    String piece(int id);

    int vocabSize();

    /** The beginning-of-sequence id, or -1 when the model has none. */
    int bosId();

    /** The end-of-sequence id, or -1 when the model has none. */
    int eosId();

    int unkId();

    /** The padding id, or -1 when the model has none (Llama has none). */
    int padId();

    /** Whether this id is a control token ({@code <s>}, {@code </s>}…), which decodes to nothing. */
    boolean isControl(int id);

    /** A fresh incremental decoder for one generated sequence. */
    StreamDecoder newStreamDecoder();

    /**
     * Loads the tokenizer in a model directory: {@code tokenizer.model} (SentencePiece) when present,
     * otherwise {@code tokenizer.json} (Hugging Face, Llama-style BPE). A path to either file works too.
     */
    static Tokenizer load(Path dir) {
        if (Files.isRegularFile(dir)) {
            return dir.getFileName().toString().endsWith(".json")
                    ? HuggingFaceBpeTokenizer.read(dir)
                    : SentencePieceTokenizer.read(dir);
        }
        Path sentencePiece = dir.resolve("tokenizer.model");
        if (Files.isRegularFile(sentencePiece)) {
            return SentencePieceTokenizer.read(sentencePiece);
        }
        Path json = dir.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            return HuggingFaceBpeTokenizer.read(json);
        }
        throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID,
                "no tokenizer.model or tokenizer.json in " + dir.toAbsolutePath());
    }
}
