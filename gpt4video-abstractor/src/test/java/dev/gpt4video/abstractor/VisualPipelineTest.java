package dev.gpt4video.abstractor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gpt4video.abstractor.testing.Golden;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.gpt4video.abstractor.testing.Golden.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

// Golden: mplug-owl-video-tiny/golden.json from X-PLUG/mPLUG-Owl mplug_owl_video @0f3068f (float32 CPU); tolerance 1e-4 max abs.
class VisualPipelineTest {
    private static final double TOLERANCE = 1e-4;
    private static NDManager manager;
    private static VisualPipeline pipeline;
    private static JsonNode cases;

    @BeforeAll
    static void load() {
        Path dir = Fixtures.require("mplug-owl-video-tiny");
        manager = NDManager.newBaseManager();
        pipeline = VisualPipeline.load(dir, AbstractorMode.of(null), manager.newSubManager(), DataType.FLOAT32);
        cases = Golden.read(dir.resolve("golden.json")).get("cases");
    }

    @AfterAll
    static void close() {
        if (pipeline != null) {
            pipeline.close();
            manager.close();
        }
    }

    @Test
    void detectsTheTowerAndReportsSizes() {
        assertThat(pipeline.towerKind()).isEqualTo(VisualPipeline.TowerKind.MPLUG_OWL_VIDEO);
        assertThat(pipeline.mode()).isEqualTo(AbstractorMode.MPLUG_OWL_VIDEO);
        assertThat(pipeline.tokensPerVideo()).isEqualTo(5);
        assertThat(pipeline.hiddenSize()).isEqualTo(48);
        assertThat(pipeline.imageSize()).isEqualTo(28);
    }

    @Test
    void encodesVideosAndImagesLikeTheReference() {
        for (String name : new String[] {"video_t4", "batch2_video_t4", "image_t1", "batch2_image_t1"}) {
            JsonNode c = cases.get(name);
            try (NDManager request = manager.newSubManager()) {
                NDArray pixels = Golden.array(request, c.get("pixel_values"));
                int before = request.getManagedArrays().size();
                NDArray out = pipeline.encode(pixels);
                assertClose(name + " visual_embeddings", c.get("abstractor").get("visual_embeddings"), out, TOLERANCE);
                assertThat(request.getManagedArrays().size() - before).as("arrays left behind").isEqualTo(1);
            }
        }
    }

    @Test
    void encodesJavaArrays() {
        JsonNode c = cases.get("batch2_video_t4");
        float[] out = pipeline.encode(Golden.flat(c.get("pixel_values")), Golden.shape(c.get("pixel_values")));
        float[] expected = Golden.flat(c.get("abstractor").get("visual_embeddings"));
        assertThat(out).hasSameSizeAs(expected);
        for (int i = 0; i < out.length; i++) {
            assertThat((double) out[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(TOLERANCE));
        }
    }

    @Test
    void rejectsWrongShapes() {
        try (NDManager request = manager.newSubManager()) {
            assertThatThrownBy(() -> pipeline.encode(request.zeros(new Shape(1, 3, 4, 32, 32))))
                    .isInstanceOfSatisfying(Gpt4VideoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                    .hasMessageContaining("[B,3,T,28,28]");
        }
    }

    @Test
    void clipCheckpointNeedsPaperMode() {
        Path clip = Fixtures.require("clip-vit-tiny");
        assertThatThrownBy(() -> VisualPipeline.load(clip, AbstractorMode.MPLUG_OWL_VIDEO, manager.newSubManager(), DataType.FLOAT32))
                .isInstanceOfSatisfying(Gpt4VideoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID))
                .hasMessageContaining("paper");
        assertThatThrownBy(() -> AbstractorMode.of("qformer")).hasMessageContaining("mplug-owl-video, paper");
    }

    @Test
    void cachedEncodingIsNotRecomputed() {
        JsonNode c = cases.get("video_t4");
        float[] pixels = Golden.flat(c.get("pixel_values"));
        long[] shape = Golden.shape(c.get("pixel_values"));
        byte[] input = new byte[pixels.length * 4];
        java.nio.ByteBuffer.wrap(input).asFloatBuffer().put(pixels);
        EmbeddingCache cache = new EmbeddingCache(EmbeddingCache.Settings.defaults());
        AtomicInteger encodes = new AtomicInteger();
        EmbeddingCache.Key key = EmbeddingCache.Key.of(input, pipeline.settingsFingerprint());
        for (int i = 0; i < 2; i++) {
            EmbeddingCache.Entry e = cache.getOrCompute(key, () -> {
                encodes.incrementAndGet();
                return EmbeddingCache.Entry.of(pipeline.encode(pixels, shape), 1, pipeline.tokensPerVideo(), pipeline.hiddenSize());
            });
            assertThat(e.shape()).containsExactly(1, 5, 48);
        }
        assertThat(encodes).hasValue(1);
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(1);
    }
}
