package dev.gpt4video.llm.tokenizer;

import dev.gpt4video.llm.tokenizer.SentencePieceModel.Piece;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;

/**
 * Builds a plausible Llama-layout BPE vocabulary of any size from a small embedded word list, for
 * demo models that need a real tokenizer file without a trained one: {@code <unk>}, {@code <s>},
 * {@code </s>}, the 256 byte pieces, merged pieces by falling score, and the single characters last.
 * Every merged piece is the concatenation of two earlier pieces, so BPE can actually reach it.
 *
 * <pre>{@code
 * SentencePieceWriter.write(DemoVocabulary.build(4096), dir.resolve("tokenizer.model"));
 * }</pre>
 */
public final class DemoVocabulary {
    private static final String SPACE = "\u2581";

    /** Frequent English words, plus the vocabulary of talking about videos. */
    private static final String WORDS = """
            the of and to a in is it you that he was for on are with as I his they be at one have this
            from or had by hot but some what there we can out other were all your when up use word how
            said an each she which do their time if will way about many then them would write like so
            these her long make thing see him two has look more day could go come did my sound no most
            number who over know water than call first people may down side been now find any new work
            part take get place made live where after back little only round man year came show every
            good me give our under name very through just form much great think say help low line before
            turn cause same mean differ move right boy old too does tell sentence set three want air well
            also play small end put home read hand port large spell add even land here must big high such
            follow act why ask men change went light kind off need house picture try us again animal point
            mother world near build self earth father head stand own page should country found answer school
            grow study still learn plant cover food sun four thought let keep eye never last door between
            city tree cross since hard start might story saw far sea draw left late run while press close
            night real life few stop open seem together next white children begin got walk example ease
            paper often always music those both mark book letter until mile river car feet care second
            group carry took rain eat room friend began idea fish mountain north once base hear horse cut
            sure watch color face wood main enough plain girl usual young ready above ever red list though
            feel talk bird soon body dog family direct pose leave song measure state product black short
            video frame frames scene camera shot clip person woman women holding wearing standing sitting
            walking running playing shows showing describe happening background front table street cat
            Human Assistant The A An In It This That What There He She They I You We Describe Please Sure
            """;

    private static final String BIGRAMS = """
            th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve
            co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ing ion tion ly ment ness ent ers
            """;

    private DemoVocabulary() {
    }

    /**
     * A model of exactly {@code vocabSize} pieces with byte fallback, Llama's special ids and
     * normalizer. Needs room for the specials, the bytes and the printable ASCII characters (354).
     */
    public static SentencePieceModel build(int vocabSize) {
        List<Piece> pieces = new ArrayList<>(vocabSize);
        pieces.add(new Piece("<unk>", 0f, PieceType.UNKNOWN));
        pieces.add(new Piece("<s>", 0f, PieceType.CONTROL));
        pieces.add(new Piece("</s>", 0f, PieceType.CONTROL));
        for (int b = 0; b < 256; b++) {
            pieces.add(new Piece(Vocabulary.bytePiece(b), 0f, PieceType.BYTE));
        }
        SequencedSet<String> characters = new LinkedHashSet<>();
        characters.add(SPACE);
        for (char c = '!'; c <= '~'; c++) {
            characters.add(String.valueOf(c));
        }
        int mergedCount = vocabSize - pieces.size() - characters.size();
        if (mergedCount < 0) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the minimum of "
                    + (pieces.size() + characters.size()));
        }
        List<String> merged = mergedPieces(mergedCount, characters);
        // Llama's layout: merges by falling score (the merge order), single characters last.
        float score = 0f;
        for (String piece : merged) {
            pieces.add(new Piece(piece, score--, PieceType.NORMAL));
        }
        for (String piece : characters) {
            pieces.add(new Piece(piece, score--, PieceType.NORMAL));
        }
        SentencePieceModel.TrainerSpec trainer = new SentencePieceModel.TrainerSpec(
                SentencePieceModel.MODEL_TYPE_BPE, vocabSize, true, true, false, 0, 1, 2, -1,
                SentencePieceModel.DEFAULT_UNK_SURFACE);
        return new SentencePieceModel(pieces, trainer, SentencePieceModel.NormalizerSpec.llama());
    }

    /** The first {@code count} merged pieces, each made of two pieces listed before it. */
    private static List<String> mergedPieces(int count, SequencedSet<String> characters) {
        SequencedSet<String> merged = new LinkedHashSet<>();
        for (char c = 'a'; c <= 'z'; c++) {
            merged.add(SPACE + c);
            merged.add(SPACE + Character.toUpperCase(c));
        }
        for (String gram : BIGRAMS.split("\\s+")) {
            addChain(gram, merged, characters);
        }
        for (String word : WORDS.split("\\s+")) {
            addChain(SPACE + word, merged, characters);
        }
        // Runs of spaces (indentation) rank after the words, so "  The" becomes "▁▁ ▁The" as in Llama.
        addChain(SPACE.repeat(4), merged, characters);
        // Past the word list, letter strings of growing length fill the rest in a fixed order.
        for (int length = 2; merged.size() < count; length++) {
            int combinations = (int) Math.min(Integer.MAX_VALUE, Math.pow(26, length));
            for (int n = 0; n < combinations && merged.size() < count; n++) {
                String letters = letters(n, length);
                addChain(letters, merged, characters);
                addChain(SPACE + letters, merged, characters);
            }
        }
        return new ArrayList<>(merged).subList(0, count);
    }

    /** Adds every prefix of {@code piece} longer than one character, so each is one merge away. */
    private static void addChain(String piece, SequencedSet<String> merged, SequencedSet<String> characters) {
        for (int end = 2; end <= piece.length(); end++) {
            String prefix = piece.substring(0, end);
            if (!characters.contains(prefix)) {
                merged.add(prefix);
            }
        }
    }

    private static String letters(int n, int length) {
        char[] out = new char[length];
        for (int i = length - 1; i >= 0; i--) {
            out[i] = (char) ('a' + n % 26);
            n /= 26;
        }
        return new String(out);
    }
}
