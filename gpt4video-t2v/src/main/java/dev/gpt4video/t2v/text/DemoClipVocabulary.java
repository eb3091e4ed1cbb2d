package dev.gpt4video.t2v.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small CLIP-format BPE vocabulary for demo bundles: the 256 byte symbols, the same with
 * {@code </w>}, merges learned greedily from an embedded list of words about videos, then
 * {@code <|startoftext|>} and {@code <|endoftext|>}, in CLIP's order. Deterministic: ties go to the
 * lexicographically smallest pair. Real prompts tokenize fine (unknown words fall back to smaller
 * pieces down to bytes).
 */
public final class DemoClipVocabulary {
    private static final String WORDS = """
            a an the of in on at with and to is are from by for over under into near through
            cat cats dog dogs horse bird birds fish panda bear lion tiger fox rabbit monkey astronaut robot person
            man woman child people girl boy car cars train plane boat ship bicycle city street road forest beach
            ocean sea river lake mountain mountains desert snow rain sky sun moon stars cloud clouds fire water
            playing piano guitar running walking flying swimming dancing eating riding jumping surfing driving
            sitting standing looking smiling talking reading cooking painting wave waves field garden park house
            room kitchen table window light night day morning evening sunset sunrise red blue green yellow white
            black orange purple golden small big tiny giant old young beautiful cinematic video shot close up wide
            slow motion camera view aerial drone footage high quality detailed realistic 4k 8k trending artstation
            style film scene moving time lapse animation cartoon
            """;

    private final Map<String, Integer> vocab;
    private final List<String> merges;

    private DemoClipVocabulary(Map<String, Integer> vocab, List<String> merges) {
        this.vocab = vocab;
        this.merges = merges;
    }

    /** Learns up to {@code maxMerges} merges (stops earlier when no pair occurs twice). */
    public static DemoClipVocabulary build(int maxMerges) {
        String[] byteToChar = new String[256];
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            byteToChar[b] = String.valueOf((char) (printable ? b : 256 + extra++));
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(byteToChar[b], vocab.size());
        }
        for (int b = 0; b < 256; b++) {
            vocab.put(byteToChar[b] + "</w>", vocab.size());
        }
        // Word counts (repeats make common words merge first).
        Map<String, Integer> counts = new TreeMap<>();
        for (String w : WORDS.trim().split("\\s+")) {
            counts.merge(w, 1, Integer::sum);
        }
        List<List<String>> words = new ArrayList<>();
        List<Integer> freq = new ArrayList<>();
        counts.forEach((w, c) -> {
            List<String> symbols = new ArrayList<>();
            byte[] bytes = w.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (int i = 0; i < bytes.length; i++) {
                String s = byteToChar[bytes[i] & 0xFF];
                symbols.add(i == bytes.length - 1 ? s + "</w>" : s);
            }
            words.add(symbols);
            freq.add(c + 1);
        });
        List<String> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Map<String, Integer> pairs = new HashMap<>();
            for (int i = 0; i < words.size(); i++) {
                List<String> s = words.get(i);
                for (int k = 0; k + 1 < s.size(); k++) {
                    pairs.merge(s.get(k) + " " + s.get(k + 1), freq.get(i), Integer::sum);
                }
            }
            String best = null;
            int bestCount = 1;
            for (Map.Entry<String, Integer> e : pairs.entrySet()) {
                if (e.getValue() > bestCount || (e.getValue() == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best == null) {
                break;
            }
            String[] pair = best.split(" ");
            String merged = pair[0] + pair[1];
            merges.add(best);
            vocab.putIfAbsent(merged, vocab.size());
            for (List<String> s : words) {
                for (int k = 0; k + 1 < s.size(); k++) {
                    if (s.get(k).equals(pair[0]) && s.get(k + 1).equals(pair[1])) {
                        s.set(k, merged);
                        s.remove(k + 1);
                    }
                }
            }
        }
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());
        return new DemoClipVocabulary(vocab, List.copyOf(merges));
    }

    /** token to id, in id order (what {@code vocab.json} holds). */
    public Map<String, Integer> vocab() {
        return java.util.Collections.unmodifiableMap(vocab);
    }

    public int size() {
        return vocab.size();
    }

    /** {@code merges.txt} content: a {@code #version} header, then one merge per line. */
    public String mergesText() {
        StringBuilder sb = new StringBuilder("#version: 0.2\n");
        merges.forEach(m -> sb.append(m).append('\n'));
        return sb.toString();
    }
}
