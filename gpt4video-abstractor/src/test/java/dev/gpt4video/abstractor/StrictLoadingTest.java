package dev.gpt4video.abstractor;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.abstractor.clip.ClipVisionConfig;
import dev.gpt4video.abstractor.clip.ClipVisionModel;
import dev.gpt4video.abstractor.testing.CheckpointCopies;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.CheckpointException;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every tensor of both fixtures is needed, and nothing else is accepted: key biases barely move the
 * outputs (softmax ignores a per-query constant), so the goldens alone cannot prove they are loaded.
 */
class StrictLoadingTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static void loadPipeline(Path dir) {
        VisualPipeline.load(dir, AbstractorMode.MPLUG_OWL_VIDEO, manager.newSubManager(), DataType.FLOAT32).close();
    }

    private static void loadClip(Path dir) {
        try (NDManager m = manager.newSubManager(); Checkpoint ckpt = Checkpoint.open(dir)) {
            WeightLoader w = new WeightLoader(ckpt, m, DataType.FLOAT32, WeightLoader.Mode.STRICT);
            ClipVisionModel.load(w, ClipVisionConfig.read(dir.resolve("config.json")));
            w.finish();
        }
    }

    @Test
    void mplugOwlFixtureNeedsEveryTensor(@TempDir Path tmp) {
        Path fixture = Fixtures.require("mplug-owl-video-tiny");
        loadPipeline(fixture);
        var names = CheckpointCopies.names(fixture);
        assertThat(names).hasSize(98);
        for (String name : names) {
            Path copy = CheckpointCopies.copy(fixture, tmp.resolve("mplug"), n -> !n.equals(name), w -> { });
            assertMissing(() -> loadPipeline(copy), name);
        }
    }

    @Test
    void clipFixtureNeedsEveryTensor(@TempDir Path tmp) {
        Path fixture = Fixtures.require("clip-vit-tiny");
        loadClip(fixture);
        var names = CheckpointCopies.names(fixture);
        assertThat(names).hasSize(40);
        for (String name : names) {
            Path copy = CheckpointCopies.copy(fixture, tmp.resolve("clip"), n -> !n.equals(name), w -> { });
            assertMissing(() -> loadClip(copy), name);
        }
    }

    @Test
    void unknownTensorsAreRejected(@TempDir Path tmp) {
        Path mplug = Fixtures.require("mplug-owl-video-tiny");
        for (String extra : new String[] {"vision_model.encoder.layers.0.self_attn.rotary.weight", "abstractor.extra",
                "vision_model.encoder.layers.2.mlp.fc1.weight"}) {
            Path copy = CheckpointCopies.copy(mplug, tmp.resolve("mplug-extra"), n -> true, add(extra));
            assertUnexpected(() -> loadPipeline(copy), extra);
        }
        Path clip = Fixtures.require("clip-vit-tiny");
        for (String extra : new String[] {"vision_model.encoder.layers.0.self_attn.qkv.weight", "text_model.x"}) {
            Path copy = CheckpointCopies.copy(clip, tmp.resolve("clip-extra"), n -> true, add(extra));
            assertUnexpected(() -> loadClip(copy), extra);
        }
    }

    @Test
    void otherComponentsAndPositionIdsAreAllowed(@TempDir Path tmp) {
        Path mplug = Fixtures.require("mplug-owl-video-tiny");
        loadPipeline(CheckpointCopies.copy(mplug, tmp.resolve("mplug-llm"), n -> true,
                add("language_model.model.norm.weight")));
        Path clip = Fixtures.require("clip-vit-tiny");
        loadClip(CheckpointCopies.copy(clip, tmp.resolve("clip-ids"), n -> true, w ->
                w.putLongs("vision_model.embeddings.position_ids", new long[] {1, 17}, new long[17])));
    }

    private static Consumer<dev.gpt4video.core.checkpoint.SafetensorsWriter> add(String name) {
        return w -> w.putFloats(name, new long[] {4}, new float[4]);
    }

    private static void assertMissing(Runnable load, String name) {
        assertThatThrownBy(load::run).as("loading without %s", name)
                .isInstanceOfSatisfying(CheckpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_TENSOR_MISSING);
                    assertThat(e.tensor()).isEqualTo(name);
                    assertThat(e.getMessage()).contains(name);
                });
    }

    private static void assertUnexpected(Runnable load, String name) {
        assertThatThrownBy(load::run).as("loading with extra %s", name)
                .isInstanceOfSatisfying(CheckpointException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CHECKPOINT_TENSOR_UNEXPECTED);
                    assertThat(e.getMessage()).contains(name);
                });
    }
}
