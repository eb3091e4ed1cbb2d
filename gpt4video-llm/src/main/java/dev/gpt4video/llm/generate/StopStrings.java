package dev.gpt4video.llm.generate;

import java.util.List;

/**
 * Finds stop strings in streamed text. Text that might be the start of a stop string is held back
 * until the next piece shows whether it is; when a stop string completes, only the text before it
 * is released. So no emitted text is ever part of a stop string, even one split across tokens.
 *
 * <p>Not thread-safe: one per sequence.
 */
final class StopStrings {
    /** Text released by a push, and whether a stop string completed. */
    record Released(String text, boolean stopped) {
    }

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();

    StopStrings(List<String> stops) {
        this.stops = List.copyOf(stops);
    }

    Released push(String piece) {
        if (stops.isEmpty()) {
            return new Released(piece, false);
        }
        held.append(piece);
        int first = -1;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        if (first >= 0) {
            String before = held.substring(0, first);
            held.setLength(0);
            return new Released(before, true);
        }
        int keep = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, held.length()); k > keep; k--) {
                if (endsWith(held, s, k)) {
                    keep = k;
                    break;
                }
            }
        }
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return new Released(out, false);
    }

    /** Releases whatever is held (generation ended without completing a stop string). */
    String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    /** Whether {@code text} ends with the first {@code k} chars of {@code stop}. */
    private static boolean endsWith(StringBuilder text, String stop, int k) {
        int offset = text.length() - k;
        for (int i = 0; i < k; i++) {
            if (text.charAt(offset + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
