package dev.gpt4video.llm.tokenizer;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.tokenizer.SentencePieceModel.Piece;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * SentencePiece BPE in pure Java, matching {@code SentencePieceProcessor} for Llama-style models:
 * spaces become U+2581, a dummy U+2581 is prefixed, and the adjacent pair whose concatenation is
 * the best-scoring piece is merged until none is left (ties to the leftmost pair). Characters
 * outside the vocabulary become their UTF-8 byte pieces when the model has byte fallback.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    private static final char SPACE_SYMBOL = '\u2581';

    private final SentencePieceModel model;
    private final Vocabulary vocabulary;
    private final float[] scores;
    /** Pieces a merge may produce: NORMAL, USER_DEFINED and UNUSED, as SentencePiece's pieces_ map. */
    private final Map<String, Integer> mergeable = new HashMap<>();
    /** User-defined pieces by first code point, longest first, for the greedy whole-unit match. */
    private final Map<Integer, List<String>> userDefined = new HashMap<>();
    private final int longestPiece;

    public SentencePieceTokenizer(SentencePieceModel model) {
        this.model = model;
        if (model.trainerSpec().modelType() != SentencePieceModel.MODEL_TYPE_BPE) {
            throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, "model_type "
                    + model.trainerSpec().modelType() + " is not supported; only BPE ("
                    + SentencePieceModel.MODEL_TYPE_BPE + ") models are");
        }
        if (model.trainerSpec().treatWhitespaceAsSuffix()) {
            throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, "treat_whitespace_as_suffix is not supported");
        }
        List<Piece> pieces = model.pieces();
        String[] texts = new String[pieces.size()];
        PieceType[] types = new PieceType[pieces.size()];
        scores = new float[pieces.size()];
        int longest = 0;
        for (int id = 0; id < pieces.size(); id++) {
            Piece piece = pieces.get(id);
            texts[id] = piece.text();
            types[id] = piece.type();
            scores[id] = piece.score();
            if (piece.type().isMergeable()) {
                mergeable.put(piece.text(), id);
                longest = Math.max(longest, piece.text().length());
            }
            if (piece.type() == PieceType.USER_DEFINED) {
                userDefined.computeIfAbsent(piece.text().codePointAt(0), k -> new ArrayList<>()).add(piece.text());
            }
        }
        userDefined.values().forEach(list -> list.sort(Comparator.comparingInt(String::length).reversed()));
        this.longestPiece = longest;
        this.vocabulary = new Vocabulary(texts, types);
    }

    /** Reads a {@code tokenizer.model} file. */
    public static SentencePieceTokenizer read(Path file) {
        return new SentencePieceTokenizer(SentencePieceModel.read(file));
    }

    public SentencePieceModel model() {
        return model;
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean addEos) {
        IntStream.Builder out = IntStream.builder();
        if (addBos && bosId() >= 0) {
            out.add(bosId());
        }
        String normalized = normalize(text);
        BpeMerger symbols = split(normalized);
        Map<String, String[]> unusedSplits = new HashMap<>();
        int[] order = symbols.mergeAll((s, left, right) -> findMerge(normalized, s, left, right, unusedSplits));
        boolean previousUnknown = false;
        for (int index : order) {
            String piece = normalized.substring(symbols.start[index], symbols.end[index]);
            previousUnknown = emit(piece, unusedSplits, out, previousUnknown);
        }
        if (addEos && eosId() >= 0) {
            out.add(eosId());
        }
        return out.build().toArray();
    }

    @Override
    public String piece(int id) {
        return vocabulary.piece(id);
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public int bosId() {
        return model.trainerSpec().bosId();
    }

    @Override
    public int eosId() {
        return model.trainerSpec().eosId();
    }

    @Override
    public int unkId() {
        return model.trainerSpec().unkId();
    }

    @Override
    public int padId() {
        return model.trainerSpec().padId();
    }

    @Override
    public boolean isControl(int id) {
        return vocabulary.type(id) == PieceType.CONTROL;
    }

    @Override
    public StreamDecoder newStreamDecoder() {
        SentencePieceModel.NormalizerSpec spec = model.normalizerSpec();
        return new StreamDecoder(vocabulary, spec.addDummyPrefix(), spec.removeExtraWhitespaces(),
                model.trainerSpec().unkSurface());
    }

    /**
     * SentencePiece's normalizer with identity rules: optional whitespace collapsing, the dummy
     * prefix (only for text that is not empty after collapsing) and spaces escaped to U+2581.
     * Only ' ' counts as whitespace here; tabs and newlines stay as they are.
     */
    private String normalize(String text) {
        SentencePieceModel.NormalizerSpec spec = model.normalizerSpec();
        boolean collapse = spec.removeExtraWhitespaces();
        char space = spec.escapeWhitespaces() ? SPACE_SYMBOL : ' ';
        int i = 0;
        if (collapse) {
            while (i < text.length() && text.charAt(i) == ' ') {
                i++;
            }
        }
        if (i == text.length()) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 1);
        if (spec.addDummyPrefix()) {
            out.append(space);
        }
        boolean previousSpace = collapse;
        while (i < text.length()) {
            int codePoint = text.codePointAt(i);
            i += Character.charCount(codePoint);
            if (codePoint == ' ') {
                if (!previousSpace) {
                    out.append(space);
                }
                previousSpace = collapse;
            } else {
                // A lone surrogate has no UTF-8 form; SentencePiece maps malformed input to U+FFFD too.
                out.appendCodePoint(codePoint >= 0xD800 && codePoint <= 0xDFFF ? 0xFFFD : codePoint);
                previousSpace = false;
            }
        }
        if (collapse) {
            while (!out.isEmpty() && out.charAt(out.length() - 1) == space) {
                out.setLength(out.length() - 1);
            }
        }
        return out.toString();
    }

    /** One symbol per code point, except that a user-defined piece is one frozen symbol. */
    private BpeMerger split(String normalized) {
        BpeMerger symbols = new BpeMerger(normalized.length());
        int i = 0;
        while (i < normalized.length()) {
            int codePoint = normalized.codePointAt(i);
            String whole = userDefined.isEmpty() ? null : matchUserDefined(normalized, i, codePoint);
            if (whole != null) {
                symbols.add(mergeable.get(whole), i, i + whole.length(), true);
                i += whole.length();
            } else {
                int end = i + Character.charCount(codePoint);
                symbols.add(mergeable.getOrDefault(normalized.substring(i, end), -1), i, end, false);
                i = end;
            }
        }
        return symbols;
    }

    private String matchUserDefined(String text, int at, int codePoint) {
        for (String candidate : userDefined.getOrDefault(codePoint, List.of())) {
            if (text.startsWith(candidate, at)) {
                return candidate;
            }
        }
        return null;
    }

    private BpeMerger.Merge findMerge(String normalized, BpeMerger s, int left, int right,
                                      Map<String, String[]> unusedSplits) {
        int start = s.start[left];
        int end = s.end[right];
        if (end - start > longestPiece) {
            return null;
        }
        String merged = normalized.substring(start, end);
        Integer id = mergeable.get(merged);
        if (id == null) {
            return null;
        }
        if (vocabulary.type(id) == PieceType.UNUSED) {
            // SentencePiece still merges through UNUSED pieces but splits them again on output.
            unusedSplits.put(merged, new String[] {
                    normalized.substring(start, s.end[left]), normalized.substring(s.start[right], end)});
        }
        return new BpeMerger.Merge(id, scores[id]);
    }

    /** Writes the ids of one final symbol; returns whether it was an unknown piece. */
    private boolean emit(String piece, Map<String, String[]> unusedSplits, IntStream.Builder out,
                         boolean previousUnknown) {
        int id = vocabulary.id(piece);
        if (id >= 0 && vocabulary.type(id) == PieceType.UNUSED && unusedSplits.containsKey(piece)) {
            String[] halves = unusedSplits.get(piece);
            boolean unknown = emit(halves[0], unusedSplits, out, previousUnknown);
            return emit(halves[1], unusedSplits, out, unknown);
        }
        if (id < 0 || id == unkId()) {
            if (model.trainerSpec().byteFallback()) {
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    out.add(vocabulary.byteId(b & 0xFF));
                }
            } else if (!previousUnknown) {
                // Like SentencePiece, a run of unknown characters becomes a single <unk>.
                out.add(unkId());
            }
            return true;
        }
        out.add(id);
        return false;
    }
}
