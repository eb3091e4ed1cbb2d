package dev.gpt4video.t2v.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How {@link ClipTokenizer} cleans a text before splitting it into words. transformers'
 * {@code CLIPTokenizer} has two paths and which one runs depends on whether the Python package
 * {@code ftfy} is installed, so both are offered:
 * <ul>
 *   <li>{@link #FTFY}: {@code whitespace_clean(ftfy.fix_text(text)).lower()}. The part of ftfy 6.1
 *   that can change CLIP tokens is ported (see {@link FtfyFixes}): HTML entities, terminal escapes,
 *   UTF-8 mojibake, C1 controls, Latin ligatures, full-width forms, curly quotes, control
 *   characters, NFC.</li>
 *   <li>{@link #BASIC}: transformers' {@code BasicTokenizer} fallback used when ftfy is absent:
 *   drops control and format characters, spaces around CJK ideographs, NFC, lower case.</li>
 * </ul>
 * Both return words separated by single spaces, lower-cased, trimmed.
 */
public enum TextCleaning {
    FTFY {
        @Override
        public String clean(String text) {
            return whitespaceClean(FtfyFixes.fixText(text)).toLowerCase(Locale.ROOT);
        }
    },
    BASIC {
        @Override
        public String clean(String text) {
            StringBuilder cleaned = new StringBuilder(text.length());
            text.codePoints().forEach(cp -> {
                if (cp == 0 || cp == 0xFFFD || isBasicControl(cp)) {
                    return;
                }
                if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || Character.getType(cp) == Character.SPACE_SEPARATOR) {
                    cleaned.append(' ');
                } else if (isCjkIdeograph(cp)) {
                    cleaned.append(' ').appendCodePoint(cp).append(' ');
                } else {
                    cleaned.appendCodePoint(cp);
                }
            });
            String nfc = Normalizer.normalize(cleaned, Normalizer.Form.NFC);
            // BasicTokenizer lower-cases word by word, then joins with single spaces.
            List<String> words = new ArrayList<>();
            for (String word : splitOnPythonWhitespace(nfc)) {
                words.add(word.toLowerCase(Locale.ROOT));
            }
            return String.join(" ", splitOnPythonWhitespace(String.join(" ", words)));
        }
    };

    /** Cleans one text segment (special tokens already split off). */
    public abstract String clean(String text);

    /** Python's {@code str.isspace()}, which is also what {@code re}'s {@code \s} matches. */
    static boolean isPythonWhitespace(int cp) {
        return switch (cp) {
            case '\t', '\n', 0x0B, 0x0C, '\r', 0x1C, 0x1D, 0x1E, 0x1F, ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029,
                 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    /** {@code re.sub(r"\s+", " ", text).strip()} as the CLIP tokenizers do it. */
    static String whitespaceClean(String text) {
        return String.join(" ", splitOnPythonWhitespace(text));
    }

    /** Python's {@code str.split()} without arguments. */
    static List<String> splitOnPythonWhitespace(CharSequence text) {
        List<String> parts = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (isPythonWhitespace(cp)) {
                if (!word.isEmpty()) {
                    parts.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.appendCodePoint(cp);
            }
        });
        if (!word.isEmpty()) {
            parts.add(word.toString());
        }
        return parts;
    }

    /** BasicTokenizer's {@code _is_control}: any "C*" category except tab, newline, carriage return. */
    private static boolean isBasicControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }

    /** The CJK ideograph blocks BERT's BasicTokenizer isolates (not kana, not Hangul). */
    private static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
