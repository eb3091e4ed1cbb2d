package dev.gpt4video.t2v.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CLIP's byte-level BPE tokenizer, as transformers' slow {@code CLIPTokenizer} runs it from a
 * {@code tokenizer/} folder ({@code vocab.json}, {@code merges.txt}, {@code special_tokens_map.json},
 * {@code tokenizer_config.json}).
 *
 * <p>Special tokens (bos, eos, unk and pad) are split off the raw text first and never broken up.
 * With SD-2 style files the pad token is {@code !}, so every {@code !} in a prompt becomes the pad
 * id, as it does in diffusers. Each remaining segment is cleaned ({@link TextCleaning}), split with
 * CLIP's word pattern, byte-encoded and merged by rank with {@code </w>} marking word ends.
 *
 * <pre>{@code
 * ClipTokenizer tok = ClipTokenizer.load(dir.resolve("tokenizer"));
 * int[] ids = tok.encode("a cat playing piano"); // 77 ids: bos, 4 words, eos, pad...
 * }</pre>
 */
public final class ClipTokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WORD_END = "</w>";
    /** Words whose merges are remembered; the cache is dropped when it grows past this. */
    private static final int CACHE_LIMIT = 50_000;
    /** CLIP's word pattern after cleaning; whitespace here is a plain space. */
    private static final Pattern WORD = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    /** Tokenizer choices that the files do not fix. {@code padToken} null keeps the files' pad token. */
    public record Options(TextCleaning cleaning, String padToken) {
        public Options {
            cleaning = cleaning == null ? TextCleaning.FTFY : cleaning;
        }

        public static Options defaults() {
            return new Options(null, null);
        }
    }

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> mergeRanks;
    private final String[] byteToChar;
    private final List<String> specialTokens;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final int unkId;
    private final int maxLength;
    private final TextCleaning cleaning;
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(Map<String, Integer> vocab, Map<String, Integer> mergeRanks, String bos, String eos,
                          String unk, String pad, int maxLength, TextCleaning cleaning) {
        this.vocab = vocab;
        this.mergeRanks = mergeRanks;
        this.byteToChar = byteEncoder();
        this.bosId = id(bos, "bos_token");
        this.eosId = id(eos, "eos_token");
        this.unkId = id(unk, "unk_token");
        this.padId = id(pad, "pad_token");
        this.maxLength = maxLength;
        this.cleaning = cleaning;
        Set<String> specials = new LinkedHashSet<>(List.of(bos, eos, unk, pad));
        List<String> sorted = new ArrayList<>(specials);
        // Longest first, so that a special token containing another one wins.
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        this.specialTokens = List.copyOf(sorted);
    }

    public static ClipTokenizer load(Path dir) {
        return load(dir, Options.defaults());
    }

    public static ClipTokenizer load(Path dir, Options options) {
        Map<String, Integer> vocab = readVocab(dir.resolve("vocab.json"));
        Map<String, Integer> ranks = readMerges(dir.resolve("merges.txt"));
        JsonNode config = readJsonIfPresent(dir.resolve("tokenizer_config.json"));
        JsonNode special = readJsonIfPresent(dir.resolve("special_tokens_map.json"));
        // special_tokens_map.json overrides tokenizer_config.json, as transformers loads them.
        String bos = tokenContent(special, config, "bos_token", "<|startoftext|>");
        String eos = tokenContent(special, config, "eos_token", "<|endoftext|>");
        String unk = tokenContent(special, config, "unk_token", "<|endoftext|>");
        String pad = options.padToken() != null ? options.padToken() : tokenContent(special, config, "pad_token", eos);
        int maxLength = config != null && config.path("model_max_length").canConvertToInt()
                && config.path("model_max_length").asInt() <= 4096 ? config.path("model_max_length").asInt() : 77;
        return new ClipTokenizer(vocab, ranks, bos, eos, unk, pad, maxLength, options.cleaning());
    }

    /** BPE ids of a text, without bos/eos, not truncated. */
    public int[] tokenize(String text) {
        return bpeTokens(text).stream().mapToInt(t -> vocab.getOrDefault(t, unkId)).toArray();
    }

    /**
     * What the pipeline feeds the text encoder: {@code [bos] + first (maxLength-2) ids + [eos]},
     * padded with the pad id to {@link #maxLength()}.
     */
    public int[] encode(String text) {
        int[] ids = tokenize(text);
        int[] out = new int[maxLength];
        Arrays.fill(out, padId);
        out[0] = bosId;
        int n = Math.min(ids.length, maxLength - 2);
        System.arraycopy(ids, 0, out, 1, n);
        out[n + 1] = eosId;
        return out;
    }

    /** The BPE token strings (byte-encoded, {@code </w>} at word ends) of a text. */
    public List<String> bpeTokens(String text) {
        List<String> tokens = new ArrayList<>();
        for (String segment : splitOnSpecialTokens(text)) {
            if (specialTokens.contains(segment)) {
                tokens.add(segment);
                continue;
            }
            Matcher m = WORD.matcher(cleaning.clean(segment));
            if (cache.size() > CACHE_LIMIT) {
                cache.clear();
            }
            while (m.find()) {
                tokens.addAll(cache.computeIfAbsent(m.group(), this::bpe));
            }
        }
        return tokens;
    }

    public int maxLength() {
        return maxLength;
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    public int padId() {
        return padId;
    }

    public int vocabSize() {
        return vocab.size();
    }

    private List<String> splitOnSpecialTokens(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            String hit = null;
            for (String special : specialTokens) {
                if (text.startsWith(special, i)) {
                    hit = special;
                    break;
                }
            }
            if (hit == null) {
                i++;
                continue;
            }
            if (i > start) {
                out.add(text.substring(start, i));
            }
            out.add(hit);
            i += hit.length();
            start = i;
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    private List<String> bpe(String word) {
        if (specialTokens.contains(word)) {
            return List.of(word);
        }
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        List<String> symbols = new ArrayList<>(bytes.length);
        for (byte b : bytes) {
            symbols.add(byteToChar[b & 0xFF]);
        }
        int last = symbols.size() - 1;
        symbols.set(last, symbols.get(last) + WORD_END);
        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String bestFirst = null;
            String bestSecond = null;
            for (int k = 0; k + 1 < symbols.size(); k++) {
                Integer rank = mergeRanks.get(symbols.get(k) + " " + symbols.get(k + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    bestFirst = symbols.get(k);
                    bestSecond = symbols.get(k + 1);
                }
            }
            if (bestFirst == null) {
                break;
            }
            // Merge every occurrence of the best pair, left to right.
            List<String> merged = new ArrayList<>(symbols.size());
            for (int k = 0; k < symbols.size(); k++) {
                if (k + 1 < symbols.size() && symbols.get(k).equals(bestFirst) && symbols.get(k + 1).equals(bestSecond)) {
                    merged.add(bestFirst + bestSecond);
                    k++;
                } else {
                    merged.add(symbols.get(k));
                }
            }
            symbols = merged;
        }
        return List.copyOf(symbols);
    }

    private int id(String token, String field) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID,
                    "tokenizer: " + field + " '" + token + "' is not in vocab.json");
        }
        return id;
    }

    /** GPT-2's reversible byte to printable character table that CLIP reuses. */
    private static String[] byteEncoder() {
        String[] table = new String[256];
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = String.valueOf((char) (printable ? b : 256 + extra++));
        }
        return table;
    }

    private static Map<String, Integer> readVocab(Path file) {
        JsonNode root = readJson(file);
        Map<String, Integer> vocab = new HashMap<>(root.size() * 2);
        root.fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        if (vocab.isEmpty()) {
            throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, file + ": empty vocabulary");
        }
        return vocab;
    }

    /** Merge ranks by line order, skipping the {@code #version} header. */
    private static Map<String, Integer> readMerges(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, file + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, Integer> ranks = new HashMap<>(lines.size() * 2);
        int rank = 0;
        for (String line : lines) {
            if (line.startsWith("#version") || line.isBlank()) {
                continue;
            }
            String[] pair = line.split(" ");
            if (pair.length != 2) {
                throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID,
                        file + ": merge line " + (rank + 1) + " is not two symbols: '" + line + "'");
            }
            ranks.putIfAbsent(pair[0] + " " + pair[1], rank++);
        }
        return ranks;
    }

    private static String tokenContent(JsonNode primary, JsonNode fallback, String field, String defaultValue) {
        for (JsonNode source : new JsonNode[] {primary, fallback}) {
            if (source == null) {
                continue;
            }
            JsonNode node = source.get(field);
            if (node == null || node.isNull()) {
                continue;
            }
            return node.isTextual() ? node.asText() : node.path("content").asText(defaultValue);
        }
        return defaultValue;
    }

    private static JsonNode readJsonIfPresent(Path file) {
        return Files.isRegularFile(file) ? readJson(file) : null;
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.TOKENIZER_INVALID, file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
