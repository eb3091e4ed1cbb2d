package dev.gpt4video.t2v.video;

import dev.gpt4video.core.video.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PosterFrameTest {
    @TempDir
    Path dir;

    @Test
    void pngHoldsTheChosenFrameExactly() throws Exception {
        Frames frames = ColourBars.frames(40, 20, 5, 8);
        Path png = dir.resolve("poster.png");

        PosterFrame.write(frames, PosterFrame.middle(frames), png);

        BufferedImage image = ImageIO.read(png.toFile());
        byte[] rgb = frames.rgb().get(2);
        assertThat(image.getWidth()).isEqualTo(40);
        assertThat(image.getHeight()).isEqualTo(20);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 40; x++) {
                int p = (y * 40 + x) * 3;
                int expected = (rgb[p] & 0xff) << 16 | (rgb[p + 1] & 0xff) << 8 | (rgb[p + 2] & 0xff);
                assertThat(image.getRGB(x, y) & 0xffffff).as("pixel %d,%d", x, y).isEqualTo(expected);
            }
        }
    }

    @Test
    void jpegIsWrittenForJpgNames() throws Exception {
        Path jpg = dir.resolve("poster.jpg");
        PosterFrame.write(ColourBars.frames(32, 32, 1, 8), 0, jpg);

        BufferedImage image = ImageIO.read(jpg.toFile());
        assertThat(image.getWidth()).isEqualTo(32);
        // The first bar is white; JPEG keeps it close.
        assertThat(image.getRGB(1, 4) & 0xff).isGreaterThan(230);
    }

    @Test
    void rejectsUnknownExtensionsAndFrames() {
        Frames frames = ColourBars.frames(8, 8, 1, 8);
        assertThatThrownBy(() -> PosterFrame.write(frames, 0, dir.resolve("poster.gif")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PosterFrame.image(frames, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
