package dev.gpt4video.t2v.placeholder;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.core.video.Frames;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlaceholderBackendTest {
    private final PlaceholderBackend backend = new PlaceholderBackend();

    private static T2vRequest request(String caption, int width, int height, int frames, int fps, long seed) {
        return new T2vRequest(caption, null, width, height, frames, null, null, seed, fps);
    }

    @Test
    void saysItIsAPlaceholder() {
        GeneratedVideo video = backend.generate(new T2vRequest("a cat surfing", 1L), (s, t) -> { }, new Cancellation());

        assertThat(backend.name()).isEqualTo("placeholder");
        assertThat(backend.capabilities().placeholder()).isTrue();
        assertThat(video.metadata()).isEqualTo(Map.of("backend", "placeholder", "placeholder", true));
    }

    @Test
    void honoursSizeFrameCountAndFpsAndReportsEveryFrame() {
        List<String> steps = new ArrayList<>();
        Frames frames = backend.generate(request("a red balloon over a lake", 96, 64, 5, 10, 3),
                (step, total) -> steps.add(step + "/" + total), new Cancellation()).frames();

        assertThat(frames.width()).isEqualTo(96);
        assertThat(frames.height()).isEqualTo(64);
        assertThat(frames.count()).isEqualTo(5);
        assertThat(frames.fps()).isEqualTo(10.0);
        assertThat(steps).containsExactly("1/5", "2/5", "3/5", "4/5", "5/5");
    }

    @Test
    void usesTheBackendDefaultsForMissingFields() {
        Frames frames = backend.generate(new T2vRequest("default size", 0L), (s, t) -> { }, new Cancellation()).frames();

        assertThat(frames.width()).isEqualTo(backend.capabilities().width());
        assertThat(frames.height()).isEqualTo(backend.capabilities().height());
        assertThat(frames.count()).isEqualTo(backend.capabilities().frames());
        assertThat(frames.fps()).isEqualTo(backend.capabilities().fps());
    }

    @Test
    void theSameSeedGivesTheSameFramesAndTheBackgroundMoves() {
        Frames a = generate("waves at dusk", 7);
        Frames b = generate("waves at dusk", 7);
        Frames c = generate("waves at dusk", 8);

        for (int i = 0; i < a.count(); i++) {
            assertThat(a.rgb().get(i)).isEqualTo(b.rgb().get(i));
        }
        assertThat(a.rgb().get(0)).isNotEqualTo(c.rgb().get(0));
        assertThat(a.rgb().get(0)).isNotEqualTo(a.rgb().get(1));
    }

    @Test
    void everyFrameCarriesTheSameLabelBanner() {
        Frames a = generate("a cat surfing a big wave", 1);
        Frames b = generate("something else entirely, with many more words to wrap", 99);
        int bannerRows = PlaceholderBackend.bannerHeight(a.height());
        int bannerBytes = bannerRows * a.width() * 3;

        byte[] banner = Arrays.copyOf(a.rgb().get(0), bannerBytes);
        // Opaque and fixed: identical whatever the caption, seed or frame.
        for (Frames frames : List.of(a, b)) {
            for (byte[] rgb : frames.rgb()) {
                assertThat(Arrays.copyOf(rgb, bannerBytes)).isEqualTo(banner);
            }
        }
        // Dark strip with bright yellow text across most of its width.
        int textPixels = 0;
        int minX = Integer.MAX_VALUE;
        int maxX = -1;
        for (int y = 0; y < bannerRows - 1; y++) {
            for (int x = 0; x < a.width(); x++) {
                int p = (y * a.width() + x) * 3;
                int r = banner[p] & 0xff;
                int g = banner[p + 1] & 0xff;
                int bl = banner[p + 2] & 0xff;
                if (r > 180 && g > 150 && bl < 150) {
                    textPixels++;
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                }
            }
        }
        assertThat(textPixels).isGreaterThan(40);
        assertThat(maxX - minX).isGreaterThan(a.width() / 2);
        assertThat(banner[0] & 0xff).isLessThan(40);
    }

    @Test
    void theCaptionChangesTheFrameBelowTheBanner() {
        Frames a = generate("a cat surfing", 5);
        Frames b = generate("a dog skiing", 5);
        int bannerBytes = PlaceholderBackend.bannerHeight(a.height()) * a.width() * 3;

        byte[] belowA = Arrays.copyOfRange(a.rgb().get(0), bannerBytes, a.rgb().get(0).length);
        byte[] belowB = Arrays.copyOfRange(b.rgb().get(0), bannerBytes, b.rgb().get(0).length);
        assertThat(belowA).isNotEqualTo(belowB);
    }

    @Test
    void stopsAtTheNextFrameWhenCancelled() {
        Cancellation cancel = new Cancellation();
        List<Integer> steps = new ArrayList<>();

        assertThatThrownBy(() -> backend.generate(request("long one", 32, 32, 10, 8, 0), (step, total) -> {
            steps.add(step);
            if (step == 2) {
                cancel.cancel();
            }
        }, cancel)).isInstanceOf(Gpt4VideoException.class)
                .satisfies(e -> assertThat(((Gpt4VideoException) e).code()).isEqualTo(ErrorCode.CANCELLED));
        assertThat(steps).containsExactly(1, 2);
    }

    @Test
    void rejectsSizesAboveItsLimitsAndBadFps() {
        assertThatThrownBy(() -> backend.generate(request("x", 4096, 64, 2, 8, 0), (s, t) -> { }, new Cancellation()))
                .isInstanceOf(Gpt4VideoException.class).hasMessageContaining("width");
        assertThatThrownBy(() -> backend.generate(request("x", 64, 64, 2, 0, 0), (s, t) -> { }, new Cancellation()))
                .isInstanceOf(Gpt4VideoException.class).hasMessageContaining("fps");
    }

    @Test
    void wrapsLongCaptionsOnTinyFrames() {
        Frames frames = backend.generate(request("supercalifragilisticexpialidocious words keep coming and coming",
                24, 18, 2, 8, 0), (s, t) -> { }, new Cancellation()).frames();

        assertThat(frames.count()).isEqualTo(2);
    }

    private Frames generate(String caption, long seed) {
        return backend.generate(request(caption, 160, 96, 3, 8, seed), (s, t) -> { }, new Cancellation()).frames();
    }
}
