package dev.gpt4video.t2v.video;

import dev.gpt4video.core.video.Frames;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.UUID;

/**
 * A still of one frame, shown by clients before the video plays ({@code <video poster=…>}).
 * The format follows the file name: {@code .png} (lossless) or {@code .jpg}/{@code .jpeg}.
 *
 * <pre>{@code
 * PosterFrame.write(frames, PosterFrame.middle(frames), dir.resolve("poster.png"));
 * }</pre>
 */
public final class PosterFrame {
    private PosterFrame() {
    }

    /** The middle frame: the first one is often a fade-in or still close to noise. */
    public static int middle(Frames frames) {
        return frames.count() / 2;
    }

    public static BufferedImage image(Frames frames, int index) {
        if (index < 0 || index >= frames.count()) {
            throw new IndexOutOfBoundsException("frame " + index + " of " + frames.count());
        }
        byte[] rgb = frames.rgb().get(index);
        BufferedImage image = new BufferedImage(frames.width(), frames.height(), BufferedImage.TYPE_INT_RGB);
        int[] row = new int[frames.width()];
        for (int y = 0; y < frames.height(); y++) {
            for (int x = 0; x < frames.width(); x++) {
                int p = (y * frames.width() + x) * 3;
                row[x] = (rgb[p] & 0xff) << 16 | (rgb[p + 1] & 0xff) << 8 | (rgb[p + 2] & 0xff);
            }
            image.setRGB(0, y, frames.width(), 1, row, 0, frames.width());
        }
        return image;
    }

    /** Writes frame {@code index} to {@code out} (replaced atomically). */
    public static void write(Frames frames, int index, Path out) throws IOException {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        String format = name.endsWith(".png") ? "png"
                : name.endsWith(".jpg") || name.endsWith(".jpeg") ? "jpeg" : null;
        if (format == null) {
            throw new IllegalArgumentException("poster file " + out + ": use .png, .jpg or .jpeg");
        }
        BufferedImage image = image(frames, index);
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + out.getFileName() + "." + UUID.randomUUID());
        try {
            if (!ImageIO.write(image, format, tmp.toFile())) {
                throw new IOException("no ImageIO writer for " + format);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
