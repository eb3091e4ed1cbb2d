package dev.gpt4video.t2v.zeroscope;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.runtime.RuntimeOptions;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.t2v.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The backend end to end on the tiny fixture folder (16x16, 2 frames, 3 DPM-Solver++ steps). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZeroScopeBackendTest {
    private InferenceRuntime runtime;
    private ZeroScopeBackend backend;

    @BeforeAll
    void load() {
        runtime = InferenceRuntime.create(RuntimeOptions.defaults());
        backend = ZeroScopeBackend.load(Golden.dir(), runtime, ZeroScopeOptions.defaults().withDefaults(16, 16, 2, 3));
    }

    @AfterAll
    void close() {
        backend.close();
        runtime.close();
    }

    @Test
    void capabilitiesCarryTheDefaults() {
        var c = backend.capabilities();
        assertThat(backend.name()).isEqualTo("zeroscope-v2");
        assertThat(c.placeholder()).isFalse();
        assertThat(c.width()).isEqualTo(16);
        assertThat(c.steps()).isEqualTo(3);
        assertThat(c.guidanceScale()).isEqualTo(9.0);
        var card = ZeroScopeOptions.defaults().capabilities();
        assertThat(List.of(card.width(), card.height(), card.frames(), card.steps())).containsExactly(576, 320, 24, 40);
        assertThat(card.guidanceScale()).isEqualTo(9.0);
    }

    @Test
    void sameSeedSameFramesOtherPromptOtherFrames() {
        List<Integer> progress = new ArrayList<>();
        GeneratedVideo a = backend.generate(new T2vRequest("a cat playing piano", 7L), (s, n) -> progress.add(s),
                new Cancellation());
        GeneratedVideo b = backend.generate(new T2vRequest("a cat playing piano", 7L), (s, n) -> { }, new Cancellation());
        GeneratedVideo c = backend.generate(new T2vRequest("a dog surfing a wave", 7L), (s, n) -> { }, new Cancellation());
        GeneratedVideo d = backend.generate(new T2vRequest("a cat playing piano", 8L), (s, n) -> { }, new Cancellation());

        assertThat(progress).containsExactly(1, 2, 3);
        assertThat(a.frames().count()).isEqualTo(2);
        assertThat(a.frames().width()).isEqualTo(16);
        assertThat(a.frames().fps()).isEqualTo(8.0);
        for (int f = 0; f < 2; f++) {
            assertThat(b.frames().rgb().get(f)).isEqualTo(a.frames().rgb().get(f));
        }
        assertThat(c.frames().rgb().get(0)).isNotEqualTo(a.frames().rgb().get(0));
        assertThat(d.frames().rgb().get(0)).isNotEqualTo(a.frames().rgb().get(0));
        assertThat(a.metadata()).containsEntry("backend", "zeroscope-v2").containsEntry("seed", 7L)
                .containsEntry("steps", 3).containsEntry("placeholder", false);
        assertThat((String) a.metadata().get("scheduler")).startsWith("dpmsolver++");
    }

    @Test
    void cancellationStopsWithinAStepAndFreesTheRequest() {
        int before = runtime.liveArrays();
        Cancellation cancel = new Cancellation();
        List<Integer> progress = new ArrayList<>();
        assertThatThrownBy(() -> backend.generate(new T2vRequest("a cat", 1L), (s, n) -> {
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
    void sizesMustBeMultiplesOfTheVaeFactor() {
        T2vRequest odd = new T2vRequest("a cat", null, 15, 16, 2, 3, null, 1L, null);
        assertThatThrownBy(() -> backend.generate(odd, (s, n) -> { }, new Cancellation()))
                .isInstanceOfSatisfying(Gpt4VideoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    @Test
    void guidanceOneRunsWithoutTheNegativeBranch() {
        T2vRequest r = new T2vRequest("a cat", null, 16, 16, 1, 2, 1.0, 5L, null);
        GeneratedVideo v = backend.generate(r, (s, n) -> { }, new Cancellation());
        assertThat(v.frames().count()).isEqualTo(1);
        assertThat(v.metadata()).containsEntry("guidance_scale", 1.0);
    }
}
