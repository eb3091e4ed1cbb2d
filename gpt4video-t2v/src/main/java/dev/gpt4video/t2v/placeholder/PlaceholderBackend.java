package dev.gpt4video.t2v.placeholder;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.ProgressListener;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.core.t2v.TextToVideoBackend;
import dev.gpt4video.core.video.Frames;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A backend that runs no model: it draws the caption, word-wrapped, on a coloured background that
 * drifts from frame to frame, under a banner saying {@value #LABEL}. It lets the whole chat → caption
 * → video → MP4 path run (and be tested) on machines without ZeroScope weights, and it never
 * pretends otherwise: the banner is on every frame, {@link BackendCapabilities#placeholder()} is
 * true and the metadata says {@code "placeholder": true}.
 *
 * <p>Width, height, frame count, fps and seed are honoured (the seed picks the colours and the
 * drift), {@code steps} and guidance are accepted and ignored; progress is reported once per frame
 * and cancellation is checked before each frame. Thread-safe: {@code generate} keeps no state.
 */
public final class PlaceholderBackend implements TextToVideoBackend {
    public static final String NAME = "placeholder";
    public static final String LABEL = "PLACEHOLDER \u2014 no video model";
    public static final int MAX_FPS = 60;

    private static final BackendCapabilities CAPABILITIES =
            new BackendCapabilities(320, 192, 16, 8, 1, 0.0, 1024, 1024, 256, 1000, true);
    private static final Color BANNER = new Color(0x10, 0x10, 0x10);
    private static final Color BANNER_TEXT = new Color(0xff, 0xd8, 0x40);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public GeneratedVideo generate(T2vRequest request, ProgressListener progress, Cancellation cancel) {
        T2vRequest r = request.resolve(CAPABILITIES);
        int fps = r.fps();
        if (fps < 1 || fps > MAX_FPS) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "fps: " + fps + " is outside 1.." + MAX_FPS);
        }
        Scene scene = new Scene(r.caption(), r.width(), r.height(), r.frames(), r.seed());
        List<byte[]> frames = new ArrayList<>(r.frames());
        for (int i = 0; i < r.frames(); i++) {
            cancel.throwIfCancelled();
            frames.add(scene.render(i));
            progress.onStep(i + 1, r.frames());
        }
        return new GeneratedVideo(new Frames(r.width(), r.height(), fps, frames),
                Map.of("backend", NAME, "placeholder", true));
    }

    /** Rows at the top of a frame {@code height} tall that the label banner covers. */
    static int bannerHeight(int height) {
        return Math.max(6, Math.min(height / 4, Math.round(height / 7f)));
    }

    /** Everything fixed for one request; {@link #render} draws frame {@code i} of it. */
    private static final class Scene {
        final String caption;
        final int width;
        final int height;
        final int frames;
        final Color from;
        final Color to;
        final double[][] blobs;
        final double drift;

        Scene(String caption, int width, int height, int frames, long seed) {
            this.caption = caption;
            this.width = width;
            this.height = height;
            this.frames = frames;
            SplittableRandom random = new SplittableRandom(seed);
            float hue = (float) random.nextDouble();
            from = Color.getHSBColor(hue, 0.6f, 0.75f);
            to = Color.getHSBColor((hue + 0.15f) % 1f, 0.7f, 0.35f);
            blobs = new double[4][];
            for (int i = 0; i < blobs.length; i++) {
                // x, y, radius (fractions of the frame) and a direction of travel.
                blobs[i] = new double[] {random.nextDouble(), random.nextDouble(), 0.08 + 0.12 * random.nextDouble(),
                        random.nextDouble() * 2 * Math.PI};
            }
            drift = random.nextBoolean() ? 1 : -1;
        }

        byte[] render(int index) {
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                double t = frames <= 1 ? 0 : (double) index / (frames - 1);
                background(g, t);
                caption(g, index);
                banner(g);
            } finally {
                g.dispose();
            }
            int[] argb = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
            byte[] rgb = new byte[width * height * 3];
            for (int p = 0; p < argb.length; p++) {
                rgb[3 * p] = (byte) (argb[p] >>> 16);
                rgb[3 * p + 1] = (byte) (argb[p] >>> 8);
                rgb[3 * p + 2] = (byte) argb[p];
            }
            return rgb;
        }

        /** A diagonal gradient sliding sideways and a few soft discs drifting across it. */
        private void background(Graphics2D g, double t) {
            float shift = (float) (drift * t * width * 0.5);
            g.setPaint(new GradientPaint(shift, 0, from, shift + width, height, to, true));
            g.fillRect(0, 0, width, height);
            int side = Math.min(width, height);
            for (double[] b : blobs) {
                double x = b[0] * width + Math.cos(b[3]) * t * side * 0.4;
                double y = b[1] * height + Math.sin(b[3]) * t * side * 0.4;
                int r = (int) Math.max(2, b[2] * side);
                g.setColor(new Color(255, 255, 255, 40));
                g.fillOval((int) (x - r), (int) (y - r), 2 * r, 2 * r);
            }
        }

        /** The caption wrapped to the frame, on a translucent panel that bobs by a pixel or two. */
        private void caption(Graphics2D g, int index) {
            int top = bannerHeight(height);
            int margin = Math.max(2, width / 20);
            Font font = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(8, height / 10));
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            int maxLines = Math.max(1, (height - top - 2 * margin) / fm.getHeight());
            List<String> lines = wrap(caption, fm, width - 4 * margin, maxLines);
            int blockHeight = lines.size() * fm.getHeight();
            int bob = (int) Math.round(Math.sin(index * 0.7) * Math.max(1, height / 60.0));
            int y0 = top + (height - top - blockHeight) / 2 + bob;
            g.setColor(new Color(0, 0, 0, 110));
            g.fillRoundRect(margin, y0 - margin / 2, width - 2 * margin, blockHeight + margin, margin, margin);
            g.setColor(Color.WHITE);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                int x = (width - fm.stringWidth(line)) / 2;
                g.drawString(line, x, y0 + i * fm.getHeight() + fm.getAscent());
            }
        }

        /** The label, on an opaque strip that never moves, shrunk until it fits the width. */
        private void banner(Graphics2D g) {
            int h = bannerHeight(height);
            g.setColor(BANNER);
            g.fillRect(0, 0, width, h);
            g.setColor(BANNER_TEXT);
            g.setStroke(new BasicStroke(1));
            g.drawLine(0, h - 1, width, h - 1);
            int size = Math.max(4, h - 4);
            Font font;
            FontMetrics fm;
            do {
                font = new Font(Font.SANS_SERIF, Font.BOLD, size);
                fm = g.getFontMetrics(font);
                size--;
            } while (size >= 4 && fm.stringWidth(LABEL) > width - 4);
            g.setFont(font);
            int x = Math.max(2, (width - fm.stringWidth(LABEL)) / 2);
            int y = (h - 1 - fm.getHeight()) / 2 + fm.getAscent();
            g.drawString(LABEL, x, y);
        }
    }

    /** Greedy word wrap; words longer than a line are cut, and the last line gets "…" if text remains. */
    static List<String> wrap(String text, FontMetrics fm, int maxWidth, int maxLines) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        String[] words = text.strip().split("\\s+");
        int i = 0;
        while (i < words.length && lines.size() < maxLines) {
            String word = words[i];
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (fm.stringWidth(candidate) <= maxWidth) {
                line.setLength(0);
                line.append(candidate);
                i++;
            } else if (line.isEmpty()) {
                int cut = word.length();
                while (cut > 1 && fm.stringWidth(word.substring(0, cut)) > maxWidth) {
                    cut--;
                }
                lines.add(word.substring(0, cut));
                words[i] = word.substring(cut);
            } else {
                lines.add(line.toString());
                line.setLength(0);
            }
        }
        if (!line.isEmpty() && lines.size() < maxLines) {
            lines.add(line.toString());
            line.setLength(0);
        }
        if (i < words.length || !line.isEmpty()) {
            String last = lines.get(lines.size() - 1);
            while (!last.isEmpty() && fm.stringWidth(last + "\u2026") > maxWidth) {
                last = last.substring(0, last.length() - 1);
            }
            lines.set(lines.size() - 1, last + "\u2026");
        }
        return lines;
    }
}
