package dev.gpt4video.abstractor.decode;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Expected indices worked out by hand from mPLUG-Owl's get_index (numpy round = half to even). */
class FrameSamplerTest {

    @Test
    void referenceExample() {
        assertThat(FrameSampler.indices(100, 4)).containsExactly(12, 37, 62, 86);
    }

    @Test
    void halvesRoundToEven() {
        // seg = 5/4 = 1.25: seg*2 = 2.5 rounds to 2 (Math.round would give 3), seg*3 = 3.75 to 4.
        assertThat(FrameSampler.indices(6, 4)).containsExactly(0, 1, 2, 4);
        // seg = 9/2 = 4.5, start = 2: seg*1 = 4.5 rounds to 4.
        assertThat(FrameSampler.indices(10, 2)).containsExactly(2, 6);
    }

    @Test
    void shortVideosRepeatFrames() {
        // seg = 2/8 = 0.25: start 0, rint(0.25 i) = 0,0,0,1,1,1,2,2 (1.5 -> 2, 0.5 -> 0).
        assertThat(FrameSampler.indices(3, 8)).containsExactly(0, 0, 0, 1, 1, 1, 2, 2);
        assertThat(FrameSampler.indices(1, 4)).containsExactly(0, 0, 0, 0);
    }

    @Test
    void indicesStayInRange() {
        for (int total = 1; total < 300; total += 7) {
            for (int n = 1; n <= 32; n++) {
                for (int i : FrameSampler.indices(total, n)) {
                    assertThat(i).isBetween(0, total - 1);
                }
            }
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> FrameSampler.indices(0, 4)).hasMessageContaining("totalFrames");
        assertThatThrownBy(() -> FrameSampler.indices(10, 0)).hasMessageContaining("numFrames");
        assertThatThrownBy(() -> DecodeLimits.defaults().withDecodeTimeout(Duration.ZERO))
                .hasMessageContaining("decodeTimeout");
        assertThatThrownBy(() -> DecodeLimits.defaults().withMaxPixels(0)).hasMessageContaining("maxPixels");
    }
}
