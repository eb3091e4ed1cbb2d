package dev.gpt4video.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A Hugging Face {@code tokenizer.json} of the Llama kind, in pure Java: a BPE model with
 * {@code vocab}, ranked {@code merges} and {@code byte_fallback}, after either the
 * {@code Prepend("▁")} + {@code Replace(" ", "▁")} normalizers or the newer {@code Metaspace}
 * pre-tokenizer. Anything else (byte-level BPE, Unigram, regex splitting…) is rejected at load
 * with {@link ErrorCode#TOKENIZER_INVALID} rather than tokenized wrongly.
 *
 * <p>Deliberate differences from the {@code tokenizers} library: special added tokens such as
 * {@code <s>} are not recognised inside the text (as with SentencePiece, see {@link Tokenizer}),
 * non-special added tokens are matched in the raw text ignoring {@code lstrip}/{@code rstrip}/
 * {@code single_word}, and decoding follows SentencePiece's rules instead of the file's
 * {@code decoder} section (for Llama files the result is the same). BOS/EOS come from a
 * {@code tokenizer_config.json} beside the file when there is one, else from {@code <s>}/{@code </s>}.
 */
public final class HuggingFaceBpeTokenizer implements Tokenizer {
    private final Vocabulary vocabulary;
    private final Map<String, Integer> modelVocab;
    private final Map<Long, BpeMerger.Merge> merges;
    private final boolean byteFallback;
    private final boolean fuseUnknown;
    private final boolean ignoreMerges;
    private final int unkId;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final HuggingFaceNormalizer normalizer;
    /** Non-special added tokens, longest first, matched as whole units in the input. */
    private final List<String> addedTexts = new ArrayList<>();
    private final Map<String, Integer> addedIds = new HashMap<>();

    private HuggingFaceBpeTokenizer(JsonNode root, JsonNode config) {
        JsonNode model = root.path("model");
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE")) {
            throw invalid("model type " + type + " is not supported; only BPE is");
        }
        for (String field : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!model.path(field).asText("").isEmpty()) {
                throw invalid("BPE " + field + " is not supported");
            }
        }
        byteFallback = model.path("byte_fallback").asBoolean(false);
        fuseUnknown = model.path("fuse_unk").asBoolean(false);
        ignoreMerges = model.path("ignore_merges").asBoolean(false);

        modelVocab = readVocab(model.path("vocab"));
        String unkToken = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
        if (unkToken == null || !modelVocab.containsKey(unkToken)) {
            throw invalid("the BPE model needs an unk_token that is in its vocab");
        }
        unkId = modelVocab.get(unkToken);
        vocabulary = buildVocabulary(root.path("added_tokens"));
        merges = readMerges(model.path("merges"));

        normalizer = HuggingFaceNormalizer.read(root.path("normalizer"), root.path("pre_tokenizer"));

        bosId = specialId(config, "bos_token", "<s>");
        eosId = specialId(config, "eos_token", "</s>");
        padId = specialId(config, "pad_token", null);
    }

    /** Reads {@code tokenizer.json}, and {@code tokenizer_config.json} beside it when present. */
    public static HuggingFaceBpeTokenizer read(Path file) {
        ObjectMapper json = new ObjectMapper();
        JsonNode root = readJson(json, file);
        Path configFile = file.resolveSibling("tokenizer_config.json");
        JsonNode config = Files.isRegularFile(configFile) ? readJson(json, configFile) : json.createObjectNode();
        try {
            return new HuggingFaceBpeTokenizer(root, config);
        } catch (Gpt4VideoException e) {
            throw new Gpt4VideoException(e.code(), file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean addEos) {
        IntStream.Builder out = IntStream.builder();
        if (addBos && bosId >= 0) {
            out.add(bosId);
        }
        int segmentStart = 0;
        int i = 0;
        while (i < text.length()) {
            String added = matchAdded(text, i);
            if (added == null) {
                i++;
                continue;
            }
            encodeSegment(text.substring(segmentStart, i), segmentStart == 0, out);
            out.add(addedIds.get(added));
            i += added.length();
            segmentStart = i;
        }
        encodeSegment(text.substring(segmentStart), segmentStart == 0, out);
        if (addEos && eosId >= 0) {
            out.add(eosId);
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
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    @Override
    public int unkId() {
        return unkId;
    }

    @Override
    public int padId() {
        return padId;
    }

    @Override
    public boolean isControl(int id) {
        return vocabulary.type(id) == PieceType.CONTROL;
    }

    @Override
    public StreamDecoder newStreamDecoder() {
        return new StreamDecoder(vocabulary, normalizer.prependsSpace(), false, SentencePieceModel.DEFAULT_UNK_SURFACE);
    }

    private String matchAdded(String text, int at) {
        for (String candidate : addedTexts) {
            if (text.startsWith(candidate, at)) {
                return candidate;
            }
        }
        return null;
    }

    private void encodeSegment(String segment, boolean first, IntStream.Builder out) {
        if (segment.isEmpty()) {
            return;
        }
        String normalized = normalizer.apply(segment, first);
        if (!normalizer.splitsOnSpace()) {
            encodeWord(normalized, out);
            return;
        }
        // Metaspace split: every U+2581 starts a new word and stays with the word after it.
        int wordStart = 0;
        for (int i = 1; i <= normalized.length(); i++) {
            if (i == normalized.length() || normalized.charAt(i) == HuggingFaceNormalizer.SPACE_SYMBOL.charAt(0)) {
                encodeWord(normalized.substring(wordStart, i), out);
                wordStart = i;
            }
        }
    }

    private void encodeWord(String word, IntStream.Builder out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges && modelVocab.containsKey(word)) {
            out.add(modelVocab.get(word));
            return;
        }
        BpeMerger symbols = new BpeMerger(word.length());
        int i = 0;
        while (i < word.length()) {
            int end = i + Character.charCount(word.codePointAt(i));
            String character = word.substring(i, end);
            Integer id = modelVocab.get(character);
            if (id != null) {
                symbols.add(id, i, end, false);
            } else if (!addBytes(character, i, end, symbols)) {
                boolean fuse = fuseUnknown && symbols.size() > 0 && symbols.token[symbols.size() - 1] == unkId;
                if (fuse) {
                    symbols.extendLast(end);
                } else {
                    symbols.add(unkId, i, end, false);
                }
            }
            i = end;
        }
        for (int index : symbols.mergeAll((s, left, right) -> merges.get(pairKey(s.token[left], s.token[right])))) {
            out.add(symbols.token[index]);
        }
    }

    /** Byte fallback for a character outside the vocab; false when some byte piece is missing. */
    private boolean addBytes(String character, int start, int end, BpeMerger symbols) {
        if (!byteFallback) {
            return false;
        }
        byte[] bytes = character.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int k = 0; k < bytes.length; k++) {
            ids[k] = vocabulary.byteId(bytes[k] & 0xFF);
            if (ids[k] < 0) {
                return false;
            }
        }
        for (int id : ids) {
            symbols.add(id, start, end, false);
        }
        return true;
    }

    /** The id table: the BPE vocab plus added tokens, which may extend it or retype its entries. */
    private Vocabulary buildVocabulary(JsonNode addedTokens) {
        Map<Integer, String> pieceById = new HashMap<>();
        Map<Integer, PieceType> typeById = new HashMap<>();
        modelVocab.forEach((piece, id) -> {
            String other = pieceById.put(id, piece);
            if (other != null) {
                throw invalid("vocab entries '" + other + "' and '" + piece + "' share id " + id);
            }
            typeById.put(id, byteFallback && Vocabulary.byteValue(piece) >= 0 ? PieceType.BYTE : PieceType.NORMAL);
        });
        typeById.put(unkId, PieceType.UNKNOWN);
        for (JsonNode added : addedTokens) {
            int id = added.path("id").asInt(-1);
            String content = added.path("content").asText("");
            if (id < 0 || content.isEmpty()) {
                throw invalid("added token " + added + " needs an id and content");
            }
            String existing = pieceById.putIfAbsent(id, content);
            if (existing != null && !existing.equals(content)) {
                throw invalid("added token '" + content + "' reuses id " + id + " of '" + existing + "'");
            }
            boolean special = added.path("special").asBoolean(false);
            if (id != unkId) {
                typeById.put(id, special ? PieceType.CONTROL : PieceType.USER_DEFINED);
            }
            if (!special) {
                addedIds.put(content, id);
                addedTexts.add(content);
            }
        }
        addedTexts.sort(Comparator.comparingInt(String::length).reversed());

        // Checked before allocating, so a stray huge id cannot ask for a huge table.
        int size = pieceById.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        if (size == 0 || pieceById.size() != size) {
            throw invalid("token ids must run from 0 without gaps; found " + pieceById.size() + " ids up to " + (size - 1));
        }
        String[] pieces = new String[size];
        PieceType[] types = new PieceType[size];
        for (int id = 0; id < size; id++) {
            pieces[id] = pieceById.get(id);
            types[id] = typeById.get(id);
        }
        return new Vocabulary(pieces, types);
    }

    private Map<String, Integer> readVocab(JsonNode vocab) {
        if (!vocab.isObject() || vocab.isEmpty()) {
            throw invalid("model.vocab must be a non-empty object");
        }
        Map<String, Integer> ids = HashMap.newHashMap(vocab.size());
        Iterator<Map.Entry<String, JsonNode>> fields = vocab.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().canConvertToInt() || field.getValue().asInt() < 0 || field.getKey().isEmpty()) {
                throw invalid("vocab entry '" + field.getKey() + "' needs a non-negative id");
            }
            ids.put(field.getKey(), field.getValue().asInt());
        }
        return ids;
    }

    /** Merges listed earlier win: the rank becomes a priority where higher merges first. */
    private Map<Long, BpeMerger.Merge> readMerges(JsonNode list) {
        Map<Long, BpeMerger.Merge> result = new HashMap<>();
        int rank = 0;
        for (JsonNode merge : list) {
            String left;
            String right;
            if (merge.isArray() && merge.size() == 2) {
                left = merge.get(0).asText();
                right = merge.get(1).asText();
            } else {
                String[] parts = merge.asText().split(" ", -1);
                if (parts.length != 2) {
                    throw invalid("merge '" + merge.asText() + "' is not two tokens separated by one space");
                }
                left = parts[0];
                right = parts[1];
            }
            Integer leftId = modelVocab.get(left);
            Integer rightId = modelVocab.get(right);
            Integer mergedId = modelVocab.get(left + right);
            if (leftId == null || rightId == null || mergedId == null) {
                throw invalid("merge '" + left + " " + right + "' uses or makes a token that is not in the vocab");
            }
            result.putIfAbsent(pairKey(leftId, rightId), new BpeMerger.Merge(mergedId, -rank));
            rank++;
        }
        return result;
    }

    private int specialId(JsonNode config, String field, String fallback) {
        JsonNode value = config.path(field);
        String content = value.isTextual() ? value.asText() : value.path("content").asText(null);
        if (content == null) {
            content = fallback;
        }
        return content == null ? -1 : vocabulary.id(content);
    }

    private static long pairKey(int left, int right) {
        return (long) left << 32 | (right & 0xFFFF_FFFFL);
    }

    private static JsonNode readJson(ObjectMapper json, Path file) {
        try {
            return json.readTree(file.toFile());
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Gpt4VideoException invalid(String message) {
        return new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, message);
    }
}
