package dev.gpt4video.t2v.route;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds {@code <video> caption </video>} (and {@code <videoN>…</videoN>}, {@code <vidN>…</vidN>})
 * spans in a reply as it streams, whatever the token boundaries: text that might still become a
 * tag is held back until it is decided. One router per reply; not thread-safe.
 *
 * <pre>{@code
 * SpanRouter r = new SpanRouter(3, 500);
 * for (String piece : stream) { for (RouterEvent e : r.push(piece)) handle(e); }
 * for (RouterEvent e : r.finish()) handle(e);
 * }</pre>
 */
public final class SpanRouter {
    private static final Pattern OPEN = Pattern.compile("<(video(\\d{0,3})|vid(\\d{1,3}))>");
    private static final int MAX_DIGITS = 3;

    private final int maxSpans;
    private final int maxCaptionChars;
    private final StringBuilder pending = new StringBuilder();
    private String openTag; // e.g. "video2"; null when outside a span
    private String openRaw;
    private Integer openIndex;
    private int spans;

    /**
     * @param maxSpans        spans per reply handed on for generation; later ones are skipped
     * @param maxCaptionChars captions longer than this are skipped
     */
    public SpanRouter(int maxSpans, int maxCaptionChars) {
        this.maxSpans = maxSpans;
        this.maxCaptionChars = maxCaptionChars;
    }

    /** Feeds the next piece of the reply; returns what is now decided. */
    public List<RouterEvent> push(String piece) {
        pending.append(piece);
        List<RouterEvent> out = new ArrayList<>();
        boolean progress = true;
        while (progress) {
            progress = openTag == null ? scanOutside(out) : scanInside(out);
        }
        return out;
    }

    /** Ends the reply: held text is released and an unterminated span is reported and kept as text. */
    public List<RouterEvent> finish() {
        List<RouterEvent> out = new ArrayList<>();
        if (openTag != null) {
            String raw = openRaw + pending;
            out.add(new RouterEvent.Skipped("unterminated", raw));
            out.add(new RouterEvent.Text(raw));
            openTag = null;
        } else if (!pending.isEmpty()) {
            out.add(new RouterEvent.Text(pending.toString()));
        }
        pending.setLength(0);
        return out;
    }

    private boolean scanOutside(List<RouterEvent> out) {
        int lt = pending.indexOf("<");
        if (lt < 0) {
            emitText(out, pending.length());
            return false;
        }
        emitText(out, lt);
        // pending now starts with '<'
        Matcher m = OPEN.matcher(pending);
        if (m.lookingAt()) {
            openRaw = m.group();
            openTag = m.group(1);
            String digits = m.group(2) != null ? m.group(2) : m.group(3);
            openIndex = digits == null || digits.isEmpty() ? null : Integer.parseInt(digits);
            pending.delete(0, m.end());
            return true;
        }
        if (couldBecomeOpenTag(pending)) {
            return false; // wait for more text
        }
        emitText(out, 1); // a '<' that starts no tag
        return true;
    }

    private boolean scanInside(List<RouterEvent> out) {
        String close = "</" + openTag + ">";
        int at = pending.indexOf(close);
        if (at < 0) {
            if (pending.length() > maxCaptionChars + close.length()) {
                String raw = openRaw + pending;
                out.add(new RouterEvent.Skipped("too_long", raw));
                out.add(new RouterEvent.Text(raw));
                pending.setLength(0);
                openTag = null;
            }
            return false;
        }
        String inner = pending.substring(0, at);
        String raw = openRaw + inner + close;
        pending.delete(0, at + close.length());
        String caption = inner.strip();
        if (caption.isEmpty()) {
            out.add(new RouterEvent.Skipped("empty", raw));
        } else if (caption.length() > maxCaptionChars) {
            out.add(new RouterEvent.Skipped("too_long", raw));
            out.add(new RouterEvent.Text(raw));
        } else if (spans >= maxSpans) {
            out.add(new RouterEvent.Skipped("too_many", raw));
            out.add(new RouterEvent.Text(raw));
        } else {
            out.add(new RouterEvent.Span(spans++, openIndex, caption, raw));
        }
        openTag = null;
        return true;
    }

    private void emitText(List<RouterEvent> out, int n) {
        if (n > 0) {
            out.add(new RouterEvent.Text(pending.substring(0, n)));
            pending.delete(0, n);
        }
    }

    /** Whether {@code s} (starting with '<') is a proper prefix of some opening tag. */
    static boolean couldBecomeOpenTag(CharSequence s) {
        return prefixOf(s, "video") || prefixOf(s, "vid");
    }

    private static boolean prefixOf(CharSequence s, String word) {
        String head = "<" + word;
        int n = Math.min(s.length(), head.length());
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) != head.charAt(i)) {
                return false;
            }
        }
        if (s.length() <= head.length()) {
            return true;
        }
        int digits = 0;
        for (int i = head.length(); i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i)) || ++digits > MAX_DIGITS) {
                return false;
            }
        }
        return true; // up to MAX_DIGITS digits so far: the closing '>' may still come
    }
}
