package dev.gpt4video.t2v.video;

import dev.gpt4video.core.video.Frames;
import org.bytedeco.ffmpeg.global.avutil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class Mp4EncoderTest {
    /**
     * Largest difference allowed between a bar's colour in and its mean colour out, per channel in
     * 0..255: limited-range quantisation, 4:2:0 and JCodec's QP ~20 together stay well under it.
     */
    private static final double BAR_TOLERANCE = 12;

    @TempDir
    Path dir;

    @Test
    void colourBarsDecodeBackAsH264WithTheSameFramesSizeRateAndColours() throws Exception {
        Path mp4 = dir.resolve("bars.mp4");
        new Mp4Encoder().encode(ColourBars.frames(64, 48, 24, 8), mp4);

        DecodedMp4 video = DecodedMp4.decode(mp4);

        assertThat(video.codec()).isEqualTo("h264");
        assertThat(video.pixelFormat()).isEqualTo("yuv420p");
        assertThat(video.colorSpace()).isEqualTo(avutil.AVCOL_SPC_BT709);
        assertThat(video.colorRange()).isEqualTo(avutil.AVCOL_RANGE_MPEG);
        assertThat(video.width()).isEqualTo(64);
        assertThat(video.height()).isEqualTo(48);
        assertThat(video.fps()).isCloseTo(8.0, within(1e-9));
        assertThat(video.count()).isEqualTo(24);
        assertBarsPreserved(video, 0);
        assertBarsPreserved(video, 23);
    }

    @Test
    void moovComesBeforeMdat() throws Exception {
        Path mp4 = dir.resolve("bars.mp4");
        new Mp4Encoder().encode(ColourBars.frames(64, 48, 10, 8), mp4);

        List<String> boxes = DecodedMp4.boxes(mp4);

        assertThat(boxes).contains("ftyp", "moov", "mdat");
        assertThat(boxes.indexOf("moov")).isLessThan(boxes.indexOf("mdat"));
        assertThat(FastStart.isFastStart(mp4)).isTrue();
    }

    @Test
    void oddSizesArePaddedByRepeatingTheLastColumnAndRow() throws Exception {
        Path mp4 = dir.resolve("odd.mp4");
        Frames frames = ColourBars.frames(63, 47, 3, 8);
        new Mp4Encoder().encode(frames, mp4);

        DecodedMp4 video = DecodedMp4.decode(mp4);

        assertThat(Mp4Encoder.encodedSize(63, 47)).isEqualTo(new Mp4Encoder.Dimensions(64, 48));
        assertThat(video.width()).isEqualTo(64);
        assertThat(video.height()).isEqualTo(48);
        assertThat(video.count()).isEqualTo(3);
        // The padding column repeats column 62 (the black bar), so it decodes as dark as its neighbour.
        for (int c = 0; c < 3; c++) {
            assertThat(video.mean(0, c, 63, 0, 64, 30))
                    .isCloseTo(video.mean(0, c, 62, 0, 63, 30), within(BAR_TOLERANCE));
        }
    }

    @Test
    void keepsNonIntegerFrameRatesExact() {
        assertThat(Mp4Encoder.FrameTiming.of(30000.0 / 1001)).isEqualTo(new Mp4Encoder.FrameTiming(30000, 1001));
        assertThat(Mp4Encoder.FrameTiming.of(8)).isEqualTo(new Mp4Encoder.FrameTiming(600, 75));
        assertThat(Mp4Encoder.FrameTiming.of(12.5)).isEqualTo(new Mp4Encoder.FrameTiming(12500, 1000));
    }

    @Test
    void ntscRateDecodesAtThatRate() throws Exception {
        Path mp4 = dir.resolve("ntsc.mp4");
        new Mp4Encoder().encode(ColourBars.frames(32, 32, 4, 30000.0 / 1001), mp4);

        DecodedMp4 video = DecodedMp4.decode(mp4);

        assertThat(video.fps()).isCloseTo(30000.0 / 1001, within(1e-3));
        assertThat(video.count()).isEqualTo(4);
    }

    @Test
    void randomContentSurvivesRoundTripOnAverage() throws Exception {
        // Noise is the worst case for the rate control; the frame mean must still come back.
        java.util.Random random = new java.util.Random(7);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] rgb = new byte[96 * 64 * 3];
            random.nextBytes(rgb);
            frames.add(rgb);
        }
        Path mp4 = dir.resolve("noise.mp4");
        new Mp4Encoder().encode(new Frames(96, 64, 8, frames), mp4);

        DecodedMp4 video = DecodedMp4.decode(mp4);

        assertThat(video.count()).isEqualTo(3);
        for (int c = 0; c < 3; c++) {
            double in = 0;
            for (int p = c; p < frames.get(2).length; p += 3) {
                in += frames.get(2)[p] & 0xff;
            }
            in /= 96 * 64;
            assertThat(video.mean(2, c, 0, 0, 96, 64)).isCloseTo(in, within(BAR_TOLERANCE));
        }
    }

    @Test
    void replacesTheTargetAndLeavesNoTemporaryFiles() throws Exception {
        Path mp4 = dir.resolve("video.mp4");
        Files.writeString(mp4, "old");
        new Mp4Encoder().encode(ColourBars.frames(16, 16, 2, 8), mp4);

        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(mp4);
        }
        assertThat(DecodedMp4.decode(mp4).count()).isEqualTo(2);
    }

    private static void assertBarsPreserved(DecodedMp4 video, int frame) {
        int bars = ColourBars.COLOURS.length;
        int barsHeight = ColourBars.barsHeight(video.height());
        for (int i = 0; i < bars; i++) {
            // Two pixels in from each edge: 4:2:0 and the 4x4 transform blur the borders between bars.
            int x0 = ColourBars.barStart(i, video.width()) + 2;
            int x1 = ColourBars.barStart(i + 1, video.width()) - 2;
            for (int c = 0; c < 3; c++) {
                assertThat(video.mean(frame, c, x0, 2, x1, barsHeight - 2))
                        .as("bar %d channel %d of frame %d", i, c, frame)
                        .isCloseTo(ColourBars.COLOURS[i][c], within(BAR_TOLERANCE));
            }
        }
    }
}
