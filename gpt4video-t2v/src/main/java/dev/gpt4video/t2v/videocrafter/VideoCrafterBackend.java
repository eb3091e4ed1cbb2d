package dev.gpt4video.t2v.videocrafter;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.ProgressListener;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.core.t2v.TextToVideoBackend;
import dev.gpt4video.core.video.Frames;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * VideoCrafter1 (Text2Video-512 / -1024 v1, converted to safetensors) as a {@link TextToVideoBackend}.
 *
 * <pre>{@code
 * try (var backend = VideoCrafterBackend.load(modelDir, runtime, VideoCrafterOptions.defaults())) {
 *     GeneratedVideo v = backend.generate(new T2vRequest("a corgi running on the beach", 42L), (s, n) -> {}, new Cancellation());
 * }
 * }</pre>
 */
public final class VideoCrafterBackend implements TextToVideoBackend {
    public static final String NAME = "videocrafter1";

    private final VideoCrafterPipeline pipeline;
    private final BackendCapabilities capabilities;

    private VideoCrafterBackend(VideoCrafterPipeline pipeline) {
        this.pipeline = pipeline;
        this.capabilities = pipeline.options().capabilities();
    }

    public static VideoCrafterBackend load(Path dir, InferenceRuntime runtime, VideoCrafterOptions options) {
        return new VideoCrafterBackend(VideoCrafterPipeline.load(dir, runtime, options));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public GeneratedVideo generate(T2vRequest request, ProgressListener progress, Cancellation cancel) {
        T2vRequest r = request.resolve(capabilities);
        VideoCrafterOptions o = pipeline.options();
        Frames frames = pipeline.generate(r.caption(), r.negativePrompt(), r.width(), r.height(), r.frames(), r.steps(),
                r.guidanceScale(), o.eta(), o.fpsCondition(), r.seed(), progress, cancel);
        if (r.fps() != frames.fps()) {
            frames = new Frames(frames.width(), frames.height(), r.fps(), frames.rgb());
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("backend", NAME);
        metadata.put("placeholder", false);
        metadata.put("seed", r.seed());
        metadata.put("steps", r.steps());
        metadata.put("scheduler", "ddim (lvdm uniform, eta " + o.eta() + ")");
        metadata.put("guidance_scale", r.guidanceScale());
        metadata.put("width", r.width());
        metadata.put("height", r.height());
        metadata.put("frames", r.frames());
        if (pipeline.config().hasFpsCondition()) {
            metadata.put("fps_condition", o.fpsCondition());
        }
        metadata.put("noise", "java.util.Random(seed).nextGaussian");
        return new GeneratedVideo(frames, metadata);
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
