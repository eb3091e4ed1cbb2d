package dev.gpt4video.server.chat;

import dev.gpt4video.abstractor.EmbeddingCache;
import dev.gpt4video.abstractor.VisualPipeline;
import dev.gpt4video.abstractor.decode.DecodedFrames;
import dev.gpt4video.abstractor.decode.RgbImage;
import dev.gpt4video.abstractor.decode.VideoDecoder;
import dev.gpt4video.abstractor.preprocess.FramePreprocessor;
import dev.gpt4video.abstractor.preprocess.PixelValues;
import dev.gpt4video.core.video.Frames;
import dev.gpt4video.llm.llama.Segment;
import dev.gpt4video.server.metrics.ServerMetrics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decode → preprocess → vision tower + abstractor, with results cached by the video's content
 * hash, so a second question about the same video neither decodes nor encodes it again. The
 * sampled frames are kept beside the embeddings for the input-video safety stage.
 */
public final class VisionEngine implements VideoUnderstanding {
    private final VisualPipeline pipeline;
    private final VideoDecoder decoder;
    private final FramePreprocessor preprocessor;
    private final EmbeddingCache cache;
    private final int defaultFrames;
    private final ServerMetrics metrics;
    private final Map<EmbeddingCache.Key, Frames> frames;

    public VisionEngine(VisualPipeline pipeline, VideoDecoder decoder, EmbeddingCache cache, int defaultFrames,
                        ServerMetrics metrics) {
        this.pipeline = pipeline;
        this.decoder = decoder;
        this.cache = cache;
        this.defaultFrames = defaultFrames;
        this.metrics = metrics;
        // The mPLUG-Owl tower was trained on frames squashed straight to size; CLIP on resize + crop.
        this.preprocessor = (pipeline.towerKind() == VisualPipeline.TowerKind.CLIP
                ? FramePreprocessor.hfClip() : FramePreprocessor.mplugOwlVideo()).withSize(pipeline.imageSize());
        int entries = Math.max(1, cache.settings().maxEntries());
        this.frames = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<EmbeddingCache.Key, Frames> eldest) {
                return size() > entries;
            }
        });
    }

    public VisualPipeline pipeline() {
        return pipeline;
    }

    public EmbeddingCache cache() {
        return cache;
    }

    @Override
    public int tokensPerVideo() {
        return pipeline.tokensPerVideo();
    }

    @Override
    public int defaultFrames() {
        return defaultFrames;
    }

    @Override
    public Encoded encode(Path video, int numFrames) {
        EmbeddingCache.Key key = EmbeddingCache.Key.of(video, pipeline.settingsFingerprint() + "|frames=" + numFrames
                + "|" + preprocessor);
        boolean[] computed = {false};
        EmbeddingCache.Entry entry = cache.getOrCompute(key, () -> {
            computed[0] = true;
            long t0 = System.nanoTime();
            DecodedFrames decoded = preprocessor.mode() == FramePreprocessor.Mode.MPLUG_OWL_VIDEO
                    ? decoder.sample(video, numFrames, preprocessor.size(), preprocessor.size())
                    : decoder.sample(video, numFrames);
            metrics.videoDecode(System.nanoTime() - t0);
            frames.put(key, toFrames(decoded));
            PixelValues pixels = preprocessor.video(decoded);
            float[] out = pipeline.encode(pixels.data(), pixels.shape());
            return EmbeddingCache.Entry.of(out, 1, pipeline.tokensPerVideo(), pipeline.hiddenSize());
        });
        if (!computed[0]) {
            metrics.videoEncodeCacheHit();
        }
        Frames sampled = frames.get(key);
        if (sampled == null) {
            // Evicted from the side map while the embeddings stayed: decode again for the safety check only.
            sampled = toFrames(decoder.sample(video, numFrames));
            frames.put(key, sampled);
        }
        return new Encoded(Segment.embeddings(entry.values(), pipeline.tokensPerVideo(), pipeline.hiddenSize()), sampled);
    }

    /** Decoded frames as the safety SPI's packed RGB frames. */
    public static Frames toFrames(DecodedFrames decoded) {
        List<byte[]> rgb = new ArrayList<>();
        for (RgbImage img : decoded.frames()) {
            rgb.add(img.pixels());
        }
        double fps = decoded.probe().fps() > 0 ? decoded.probe().fps() : 1;
        return new Frames(decoded.width(), decoded.height(), fps, rgb);
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
