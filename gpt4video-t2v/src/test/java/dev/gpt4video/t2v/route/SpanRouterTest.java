package dev.gpt4video.t2v.route;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SpanRouterTest {

    /** Feeds {@code text} in the given pieces and returns the events with adjacent text merged. */
    static List<RouterEvent> run(SpanRouter r, List<String> pieces) {
        List<RouterEvent> out = new ArrayList<>();
        for (String p : pieces) {
            out.addAll(r.push(p));
        }
        out.addAll(r.finish());
        return merge(out);
    }

    static List<RouterEvent> merge(List<RouterEvent> events) {
        List<RouterEvent> out = new ArrayList<>();
        for (RouterEvent e : events) {
            if (e instanceof RouterEvent.Text t && t.text().isEmpty()) {
                continue;
            }
            if (e instanceof RouterEvent.Text t && !out.isEmpty() && out.get(out.size() - 1) instanceof RouterEvent.Text prev) {
                out.set(out.size() - 1, new RouterEvent.Text(prev.text() + t.text()));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void tagsSplitAcrossTokensAreRecognised() {
        var events = run(new SpanRouter(3, 200), List.of("Sure! <vi", "deo> a cat", " surfing </vid", "eo> Enjoy."));
        assertThat(events).containsExactly(
                new RouterEvent.Text("Sure! "),
                new RouterEvent.Span(0, null, "a cat surfing", "<video> a cat surfing </video>"),
                new RouterEvent.Text(" Enjoy."));
    }

    @Test
    void numberedTagsCarryTheirIndexAndMustCloseWithTheSameName() {
        var events = run(new SpanRouter(3, 200), List.of("<video2>dogs</video> still</video2><vid0>x</vid0>"));
        assertThat(events).containsExactly(
                new RouterEvent.Span(0, 2, "dogs</video> still", "<video2>dogs</video> still</video2>"),
                new RouterEvent.Span(1, 0, "x", "<vid0>x</vid0>"));
    }

    @Test
    void nearMissesStayText() {
        String text = "a <vid> b <videos> c < video> d <video12345> e </video> f <";
        assertThat(run(new SpanRouter(3, 200), List.of(text))).containsExactly(new RouterEvent.Text(text));
    }

    @Test
    void emptyUnterminatedTooManyAndTooLong() {
        assertThat(run(new SpanRouter(3, 200), List.of("a<video>  </video>b")))
                .containsExactly(new RouterEvent.Text("a"), new RouterEvent.Skipped("empty", "<video>  </video>"), new RouterEvent.Text("b"));
        assertThat(run(new SpanRouter(3, 200), List.of("a <video> half a capt")))
                .containsExactly(new RouterEvent.Text("a "), new RouterEvent.Skipped("unterminated", "<video> half a capt"),
                        new RouterEvent.Text("<video> half a capt"));
        assertThat(run(new SpanRouter(1, 200), List.of("<video>x</video><video>y</video>")))
                .containsExactly(new RouterEvent.Span(0, null, "x", "<video>x</video>"),
                        new RouterEvent.Skipped("too_many", "<video>y</video>"), new RouterEvent.Text("<video>y</video>"));
        String longCaption = "z".repeat(30);
        assertThat(run(new SpanRouter(3, 10), List.of("<video>" + longCaption, "</video>!")))
                .containsExactly(new RouterEvent.Skipped("too_long", "<video>" + longCaption),
                        new RouterEvent.Text("<video>" + longCaption + "</video>!"));
    }

    /**
     * Property: for random replies built from known parts (text with near-miss tags, spans, an
     * optional unterminated tail) and random token splits, the events equal the ones the parts
     * imply, whatever the split.
     */
    @Test
    void randomSplitsNeverChangeTheResult() {
        Random rnd = new Random(7);
        String[] noise = {"hello", " ", "<", "<vid", "<vide", "<vid>", "</video>", "<videoX>", "a<b", "\n", "émoji 🎬", "<>", "<<"};
        for (int trial = 0; trial < 3000; trial++) {
            int maxSpans = 1 + rnd.nextInt(3);
            StringBuilder text = new StringBuilder();
            List<RouterEvent> expected = new ArrayList<>();
            int spans = 0;
            int parts = 1 + rnd.nextInt(6);
            for (int p = 0; p < parts; p++) {
                if (rnd.nextInt(3) == 0) {
                    String tag = switch (rnd.nextInt(3)) {
                        case 0 -> "video";
                        case 1 -> "video" + rnd.nextInt(100);
                        default -> "vid" + rnd.nextInt(10);
                    };
                    Integer idx = tag.equals("video") ? null : Integer.valueOf(tag.replaceAll("\\D", ""));
                    String caption = rnd.nextInt(8) == 0 ? " " : "a " + noise[rnd.nextInt(4)] + " scene " + trial;
                    String raw = "<" + tag + ">" + caption + "</" + tag + ">";
                    text.append(raw);
                    if (caption.isBlank()) {
                        expected.add(new RouterEvent.Skipped("empty", raw));
                    } else if (spans >= maxSpans) {
                        expected.add(new RouterEvent.Skipped("too_many", raw));
                        expected.add(new RouterEvent.Text(raw));
                    } else {
                        expected.add(new RouterEvent.Span(spans++, idx, caption.strip(), raw));
                    }
                } else {
                    StringBuilder t = new StringBuilder();
                    for (int k = rnd.nextInt(4); k >= 0; k--) {
                        t.append(noise[rnd.nextInt(noise.length)]);
                    }
                    // A near-miss like "<vid" right before a span's "<video>" would change the parse; keep parts apart.
                    t.append('.');
                    text.append(t);
                    expected.add(new RouterEvent.Text(t.toString()));
                }
            }
            if (rnd.nextInt(5) == 0) {
                String tail = "<video> cut off " + trial;
                text.append(tail);
                expected.add(new RouterEvent.Skipped("unterminated", tail));
                expected.add(new RouterEvent.Text(tail));
            }
            List<String> pieces = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                int n = Math.min(text.length() - i, 1 + rnd.nextInt(6));
                pieces.add(text.substring(i, i + n));
                i += n;
            }
            assertThat(run(new SpanRouter(maxSpans, 500), pieces)).as("trial %d: %s", trial, pieces).isEqualTo(merge(expected));
        }
    }
}
