package dev.gpt4video.safety.text;

import java.text.Normalizer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Undoes common obfuscation before classification, so "k i l l", "k1ll", "кill" (Cyrillic к) and
 * "kiiiill" read as "kill". Steps: NFKC (full-width and mathematical letters), drop zero-width and
 * soft-hyphen characters, strip accents, map Cyrillic/Greek look-alikes to Latin, case-fold,
 * leetspeak inside words that also hold letters ("b0mb", "$ex"; plain numbers stay), join letters
 * split by spaces or punctuation ("k.i.l.l"), and squeeze letter runs. Because "kiiiill" and
 * "killll" need different squeezes, {@link #variants} returns both readings; classifiers score each
 * and keep the highest.
 */
public final class TextNormalizer {
    private static final Map<Character, Character> CONFUSABLES = Map.ofEntries(
            // Cyrillic
            Map.entry('а', 'a'), Map.entry('в', 'b'), Map.entry('е', 'e'), Map.entry('ё', 'e'), Map.entry('к', 'k'),
            Map.entry('м', 'm'), Map.entry('н', 'h'), Map.entry('о', 'o'), Map.entry('р', 'p'), Map.entry('с', 'c'),
            Map.entry('т', 't'), Map.entry('у', 'y'), Map.entry('х', 'x'), Map.entry('і', 'i'), Map.entry('ї', 'i'),
            Map.entry('ј', 'j'), Map.entry('ѕ', 's'), Map.entry('ԁ', 'd'), Map.entry('ӏ', 'l'), Map.entry('ԛ', 'q'),
            Map.entry('ԝ', 'w'), Map.entry('ь', 'b'), Map.entry('п', 'n'), Map.entry('г', 'r'),
            // Greek
            Map.entry('α', 'a'), Map.entry('β', 'b'), Map.entry('ε', 'e'), Map.entry('η', 'n'), Map.entry('ι', 'i'),
            Map.entry('κ', 'k'), Map.entry('ν', 'v'), Map.entry('ο', 'o'), Map.entry('ρ', 'p'), Map.entry('τ', 't'),
            Map.entry('υ', 'u'), Map.entry('χ', 'x'), Map.entry('γ', 'y'), Map.entry('ω', 'w'), Map.entry('ς', 's'),
            Map.entry('μ', 'u'), Map.entry('ζ', 'z'));
    private static final Map<Character, Character> LEET = Map.ofEntries(
            Map.entry('0', 'o'), Map.entry('1', 'i'), Map.entry('3', 'e'), Map.entry('4', 'a'), Map.entry('5', 's'),
            Map.entry('7', 't'), Map.entry('8', 'b'), Map.entry('9', 'g'), Map.entry('@', 'a'), Map.entry('$', 's'),
            Map.entry('!', 'i'), Map.entry('|', 'l'), Map.entry('€', 'e'), Map.entry('+', 't'), Map.entry('(', 'c'));
    private static final Pattern INVISIBLE = Pattern.compile("[\\u00AD\\u200B-\\u200F\\u2060-\\u2064\\uFEFF]");
    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    /** A "word": letters mixed with leet symbols/digits (at least one letter). */
    private static final Pattern MIXED_WORD = Pattern.compile("[\\p{L}0-9@$!|€+(]*\\p{L}[\\p{L}0-9@$!|€+(]*");
    /** Three or more single letters separated by the same kind of gap: "k i l l", "k.i.l.l", "k-i-l-l". */
    private static final Pattern SPACED = Pattern.compile("(?<![\\p{L}])(\\p{L})(?:([ ._*\\-/\\\\,'~]+)\\p{L}){2,}(?![\\p{L}])");
    private static final Pattern INNER_PUNCT = Pattern.compile("(?<=\\p{L})[*_~]+(?=\\p{L})");
    private static final Pattern RUN3 = Pattern.compile("(\\p{L})\\1{2,}");
    private static final Pattern DOUBLE = Pattern.compile("(\\p{L})\\1+");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private TextNormalizer() {
    }

    /** The main reading: runs of 3+ equal letters squeezed to two ("killll" -> "kill"). */
    public static String normalize(String text) {
        return RUN3.matcher(base(text)).replaceAll("$1$1");
    }

    /** Distinct readings worth classifying: the raw text (trimmed), the main reading, and one with all runs squeezed to one letter. */
    public static List<String> variants(String text) {
        Set<String> out = new LinkedHashSet<>();
        String base = base(text);
        out.add(RUN3.matcher(base).replaceAll("$1$1"));
        if (RUN3.matcher(base).find()) {
            out.add(DOUBLE.matcher(base).replaceAll("$1"));
        }
        // The raw text only adds a reading when normalisation changed more than case and spacing.
        String plain = SPACES.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
        if (!out.contains(plain)) {
            out.add(text.strip());
        }
        return List.copyOf(out);
    }

    private static String base(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC);
        s = INVISIBLE.matcher(s).replaceAll("");
        s = MARKS.matcher(Normalizer.normalize(s, Normalizer.Form.NFD)).replaceAll("");
        s = s.toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            sb.append(CONFUSABLES.getOrDefault(c, c));
        }
        s = joinSpacedLetters(sb.toString());
        s = INNER_PUNCT.matcher(s).replaceAll("");
        s = leet(s);
        s = joinSpacedLetters(s);
        return SPACES.matcher(s).replaceAll(" ").strip();
    }

    private static String leet(String s) {
        Matcher m = MIXED_WORD.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String w = m.group();
            if (w.codePoints().filter(Character::isLetter).count() < 2) {
                // "3d", "4k", "h264": too little text to call it leetspeak.
                m.appendReplacement(out, Matcher.quoteReplacement(w));
                continue;
            }
            StringBuilder t = new StringBuilder(w.length());
            for (int i = 0; i < w.length(); i++) {
                char c = w.charAt(i);
                boolean trailing = i == w.length() - 1 && (c == '!' || c == '(');
                t.append(trailing ? c : LEET.getOrDefault(c, c));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(t.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String joinSpacedLetters(String s) {
        Matcher m = SPACED.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String joined = m.group().replaceAll("[^\\p{L}]", "");
            // The one-letter words "i" and "a" often border a spaced-out word: "i k i l l a man".
            String head = "";
            String tail = "";
            if (joined.length() >= 4 && (joined.charAt(0) == 'i' || joined.charAt(0) == 'a')) {
                head = joined.charAt(0) + " ";
                joined = joined.substring(1);
            }
            if (joined.length() >= 4 && (joined.endsWith("a") || joined.endsWith("i"))) {
                tail = " " + joined.charAt(joined.length() - 1);
                joined = joined.substring(0, joined.length() - 1);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(head + joined + tail));
        }
        m.appendTail(out);
        return out.toString();
    }
}
