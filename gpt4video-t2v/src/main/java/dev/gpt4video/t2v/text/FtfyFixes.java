package dev.gpt4video.t2v.text;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixes of ftfy 6.1's {@code fix_text} (default settings) that can change CLIP tokens, in
 * ftfy's order. Not a full port: ftfy's encoding detection weighs a "badness" score over many
 * legacy code pages; here only UTF-8 read as Latin-1 / Windows-1252 is undone, one multi-byte
 * sequence at a time, which is the mojibake seen in practice. The HTML entity table covers
 * numeric entities, the Latin-1 set and common typography, not all of HTML5.
 */
final class FtfyFixes {
    private FtfyFixes() {
    }

    private static final Pattern HTML_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001b\\[((?:\\d|;)*)([a-zA-Z])");

    /** Windows-1252 bytes 0x80..0x9F; 0 where the code page leaves the byte undefined. */
    private static final char[] CP1252_HIGH = {
        '\u20ac', 0, '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021',
        '\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', 0, '\u017d', 0,
        0, '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014',
        '\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', 0, '\u017e', '\u0178'};
    private static final Map<Character, Integer> CP1252_BYTE = new HashMap<>();

    private static final Map<String, String> ENTITIES = new HashMap<>();
    private static final Map<Integer, String> LIGATURES = new HashMap<>();

    static {
        for (int i = 0; i < CP1252_HIGH.length; i++) {
            if (CP1252_HIGH[i] != 0) {
                CP1252_BYTE.put(CP1252_HIGH[i], 0x80 + i);
            }
        }
        String[] latin1 = ("nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn "
                + "sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute "
                + "Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde "
                + "Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave "
                + "aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth "
                + "ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml")
                .split(" ");
        for (int i = 0; i < latin1.length; i++) {
            ENTITIES.put(latin1[i], String.valueOf((char) (0xA0 + i)));
        }
        String[][] more = {{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"},
            {"ndash", "\u2013"}, {"mdash", "\u2014"}, {"lsquo", "\u2018"}, {"rsquo", "\u2019"}, {"sbquo", "\u201a"},
            {"ldquo", "\u201c"}, {"rdquo", "\u201d"}, {"bdquo", "\u201e"}, {"hellip", "\u2026"}, {"bull", "\u2022"},
            {"trade", "\u2122"}, {"euro", "\u20ac"}, {"dagger", "\u2020"}, {"Dagger", "\u2021"}, {"permil", "\u2030"},
            {"lsaquo", "\u2039"}, {"rsaquo", "\u203a"}, {"oelig", "\u0153"}, {"OElig", "\u0152"}, {"scaron", "\u0161"},
            {"Scaron", "\u0160"}, {"Yuml", "\u0178"}, {"circ", "\u02c6"}, {"tilde", "\u02dc"}, {"ensp", "\u2002"},
            {"emsp", "\u2003"}, {"thinsp", "\u2009"}, {"zwnj", "\u200c"}, {"zwj", "\u200d"}, {"lrm", "\u200e"},
            {"rlm", "\u200f"}, {"prime", "\u2032"}, {"Prime", "\u2033"}, {"larr", "\u2190"}, {"rarr", "\u2192"},
            {"uarr", "\u2191"}, {"darr", "\u2193"}, {"hearts", "\u2665"}, {"infin", "\u221e"}, {"ne", "\u2260"},
            {"le", "\u2264"}, {"ge", "\u2265"}, {"minus", "\u2212"}};
        for (String[] e : more) {
            ENTITIES.put(e[0], e[1]);
        }
        // ftfy also accepts the all-caps spelling of entities whose name is all lower case (&AMP;).
        for (Map.Entry<String, String> e : Map.copyOf(ENTITIES).entrySet()) {
            String upper = e.getKey().toUpperCase(java.util.Locale.ROOT);
            if (e.getKey().equals(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                ENTITIES.putIfAbsent(upper, e.getValue());
            }
        }
        String[][] ligatures = {{"\u0132", "IJ"}, {"\u0133", "ij"}, {"\u0149", "\u02bcn"}, {"\u01c4", "D\u017d"},
            {"\u01c5", "D\u017e"}, {"\u01c6", "d\u017e"}, {"\u01c7", "LJ"}, {"\u01c8", "Lj"}, {"\u01c9", "lj"},
            {"\u01ca", "NJ"}, {"\u01cb", "Nj"}, {"\u01cc", "nj"}, {"\ufb00", "ff"}, {"\ufb01", "fi"}, {"\ufb02", "fl"},
            {"\ufb03", "ffi"}, {"\ufb04", "ffl"}, {"\ufb05", "\u017ft"}, {"\ufb06", "st"}};
        for (String[] l : ligatures) {
            LIGATURES.put((int) l[0].charAt(0), l[1]);
        }
    }

    static String fixText(String text) {
        // ftfy repeats its pipeline until the text stops changing.
        for (int round = 0; round < 4; round++) {
            String before = text;
            if (text.indexOf('<') < 0) {
                text = unescapeHtml(text);
            }
            text = TERMINAL_ESCAPE.matcher(text).replaceAll("");
            text = fixUtf8Mojibake(text);
            text = fixC1Controls(text);
            text = mapCodePoints(text);
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
            if (text.equals(before)) {
                break;
            }
        }
        return text;
    }

    static String unescapeHtml(String text) {
        Matcher m = HTML_ENTITY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String entity = m.group();
            String name = entity.substring(1, entity.length() - 1);
            String replacement = entity;
            if (name.startsWith("#")) {
                try {
                    int cp = name.length() > 1 && (name.charAt(1) == 'x' || name.charAt(1) == 'X')
                            ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
                    if (cp > 0 && cp <= Character.MAX_CODE_POINT && !(cp >= 0xD800 && cp <= 0xDFFF)) {
                        // Python's html.unescape reads &#128;..&#159; as Windows-1252.
                        if (cp >= 0x80 && cp <= 0x9F && CP1252_HIGH[cp - 0x80] != 0) {
                            cp = CP1252_HIGH[cp - 0x80];
                        }
                        replacement = new String(Character.toChars(cp));
                    }
                } catch (NumberFormatException e) {
                    // not a number: leave the text as it was
                }
            } else {
                replacement = ENTITIES.getOrDefault(name, entity);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The byte a character stands for when UTF-8 was read as Latin-1 or Windows-1252; -1 if none. */
    private static int sloppyByte(char c) {
        if (c <= 0xFF) {
            return c;
        }
        Integer b = CP1252_BYTE.get(c);
        return b == null ? -1 : b;
    }

    /** Replaces each run of characters whose bytes form one valid multi-byte UTF-8 sequence. */
    static String fixUtf8Mojibake(String text) {
        StringBuilder out = null;
        int i = 0;
        int n = text.length();
        while (i < n) {
            int lead = sloppyByte(text.charAt(i));
            int length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
            String decoded = length > 0 && i + length <= n ? decodeSequence(text, i, length) : null;
            if (decoded != null) {
                if (out == null) {
                    out = new StringBuilder(text.substring(0, i));
                }
                out.append(decoded);
                i += length;
            } else {
                if (out != null) {
                    out.append(text.charAt(i));
                }
                i++;
            }
        }
        return out == null ? text : out.toString();
    }

    private static String decodeSequence(String text, int start, int length) {
        byte[] bytes = new byte[length];
        for (int k = 0; k < length; k++) {
            int b = sloppyByte(text.charAt(start + k));
            if (b < 0 || (k > 0 && (b < 0x80 || b > 0xBF))) {
                return null;
            }
            bytes[k] = (byte) b;
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** ftfy's fix_c1_controls: stray C1 control characters are Windows-1252 bytes. */
    static String fixC1Controls(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c >= 0x80 && c <= 0x9F && CP1252_HIGH[c - 0x80] != 0 ? CP1252_HIGH[c - 0x80] : c);
        }
        return out.toString();
    }

    /** Ligatures, full-width forms, curly quotes and control characters, character by character. */
    static String mapCodePoints(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            String ligature = LIGATURES.get(cp);
            if (ligature != null) {
                out.append(ligature);
            } else if (cp == 0x3000) {
                out.append(' ');
            } else if (cp >= 0xFF01 && cp <= 0xFFEF) {
                out.append(Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC));
            } else if (cp == 0x02BC || (cp >= 0x2018 && cp <= 0x201B)) {
                out.append('\'');
            } else if (cp >= 0x201C && cp <= 0x201F) {
                out.append('"');
            } else if (!isRemovedControl(cp)) {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    /** ftfy's remove_control_chars: C0 controls but tab/newline/form feed/CR, DEL, deprecated format chars, BOM. */
    private static boolean isRemovedControl(int cp) {
        return (cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFC);
    }
}
