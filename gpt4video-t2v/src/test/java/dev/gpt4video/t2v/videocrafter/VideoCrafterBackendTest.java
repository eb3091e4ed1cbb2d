package dev.gpt4video.t2v.videocrafter;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.runtime.RuntimeOptions;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.T2vRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The backend end to end on a tiny lvdm-named checkpoint (16x16 px, 3 frames, 2 DDIM steps with
 * eta 1, guidance 12). No reference goldens exist: this checks loading, shapes, determinism,
 * sensitivity to the prompt, cancellation and memory, not values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VideoCrafterBackendTest {
    private Path tmp;
    private InferenceRuntime runtime;
    private VideoCrafterBackend backend;

    @BeforeAll
    void load(@TempDir Path dir) throws IOException {
        tmp = dir;
        runtime = InferenceRuntime.create(RuntimeOptions.defaults());
        backend = VideoCrafterBackend.load(LvdmTinyCheckpoint.writeFolder(tmp.resolve("vc512"), 3, false, false), runtime, VideoCrafterOptions.defaults().withDefaults(16, 16, 3, 2));
    }

    @AfterAll
    void close() {
        backend.close();
        runtime.close();
    }

    @Test
    void capabilitiesCarryTheReferenceDefaults() {
        assertThat(backend.name()).isEqualTo("videocrafter1");
        assertThat(backend.capabilities().placeholder()).isFalse();
        assertThat(backend.capabilities().width()).isEqualTo(16);
        var ref = VideoCrafterOptions.defaults();
        assertThat(List.of(ref.width(), ref.height(), ref.frames(), ref.steps(), ref.fps())).containsExactly(512, 320, 16, 50, 8);
        assertThat(ref.guidanceScale()).isEqualTo(12.0);
        assertThat(ref.eta()).isEqualTo(1.0);
    }

    @Test
    void sameSeedSameFramesOtherPromptOrSeedOtherFrames() {
        List<Integer> progress = new ArrayList<>();
        GeneratedVideo a = backend.generate(new T2vRequest("a cat playing piano", 7L), (s, n) -> progress.add(s),
                new Cancellation());
        GeneratedVideo b = backend.generate(new T2vRequest("a cat playing piano", 7L), (s, n) -> { }, new Cancellation());
        GeneratedVideo c = backend.generate(new T2vRequest("a dog surfing a wave", 7L), (s, n) -> { }, new Cancellation());
        GeneratedVideo d = backend.generate(new T2vRequest("a cat playing piano", 8L), (s, n) -> { }, new Cancellation());

        assertThat(progress).containsExactly(1, 2);
        assertThat(a.frames().count()).isEqualTo(3);
        assertThat(a.frames().width()).isEqualTo(16);
        assertThat(a.frames().height()).isEqualTo(16);
        for (int f = 0; f < 3; f++) {
            assertThat(b.frames().rgb().get(f)).isEqualTo(a.frames().rgb().get(f));
        }
        assertThat(c.frames().rgb().get(0)).isNotEqualTo(a.frames().rgb().get(0));
        assertThat(d.frames().rgb().get(0)).isNotEqualTo(a.frames().rgb().get(0));
        assertThat(a.metadata()).containsEntry("backend", "videocrafter1").containsEntry("seed", 7L)
                .containsEntry("steps", 2).containsEntry("placeholder", false).doesNotContainKey("fps_condition");
    }

    @Test
    void cancellationStopsWithinAStepAndFreesTheRequest() {
        int before = runtime.liveArrays();
        Cancellation cancel = new Cancellation();
        List<Integer> progress = new ArrayList<>();
        T2vRequest r = new T2vRequest("a cat", null, 16, 16, 3, 4, null, 1L, null);
        assertThatThrownBy(() -> backend.generate(r, (s, n) -> {
            progress.add(s);
            cancel.cancel();
        }, cancel)).isInstanceOfSatisfying(Gpt4VideoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
        assertThat(progress).containsExactly(1);
        assertThat(runtime.liveArrays()).isEqualTo(before);
    }

    @Test
    void generationLeavesNoArraysBehind() {
        int before = runtime.liveArrays();
        backend.generate(new T2vRequest("a cat", 3L), (s, n) -> { }, new Cancellation());
        assertThat(runtime.liveArrays()).isEqualTo(before);
    }

    @Test
    void sizesMustSuitTheVaeAndUNet() {
        // VAE factor 2 x one UNet downsampling = multiples of 4.
        T2vRequest odd = new T2vRequest("a cat", null, 18, 16, 2, 2, null, 1L, null);
        assertThatThrownBy(() -> backend.generate(odd, (s, n) -> { }, new Cancellation()))
                .isInstanceOfSatisfying(Gpt4VideoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    @Test
    void moreFramesThanTheTemporalLengthRun() {
        // temporal_length 4, 6 frames: relative distances are clipped.
        T2vRequest r = new T2vRequest("a cat", null, 16, 16, 6, 1, 1.0, 5L, null);
        GeneratedVideo v = backend.generate(r, (s, n) -> { }, new Cancellation());
        assertThat(v.frames().count()).isEqualTo(6);
    }

    @Test
    void fpsConditionedScaledModelLoadsAndUsesTheFpsCondition() throws IOException {
        Path dir = LvdmTinyCheckpoint.writeFolder(tmp.resolve("vc1024"), 4, true, true);
        T2vRequest r = new T2vRequest("a cat", null, 16, 16, 2, 2, null, 9L, null);
        byte[] at28;
        try (VideoCrafterBackend b = VideoCrafterBackend.load(dir, runtime, VideoCrafterOptions.defaults().withDefaults(16, 16, 2, 2))) {
            GeneratedVideo v = b.generate(r, (s, n) -> { }, new Cancellation());
            assertThat(v.metadata()).containsEntry("fps_condition", 28);
            at28 = v.frames().rgb().get(0);
        }
        VideoCrafterOptions at8 = VideoCrafterOptions.fromMap(java.util.Map.of("width", 16, "height", 16, "frames", 2,
                "steps", 2, "fps_condition", 8));
        try (VideoCrafterBackend b = VideoCrafterBackend.load(dir, runtime, at8)) {
            assertThat(b.generate(r, (s, n) -> { }, new Cancellation()).frames().rgb().get(0)).isNotEqualTo(at28);
        }
    }
}
