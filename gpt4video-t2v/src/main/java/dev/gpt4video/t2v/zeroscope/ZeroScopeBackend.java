package dev.gpt4video.t2v.zeroscope;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.ProgressListener;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.core.t2v.TextToVideoBackend;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ZeroScope v2 (cerspense/zeroscope_v2_576w and same-layout ModelScope fine-tunes) as a
 * {@link TextToVideoBackend}: one caption in, uint8 RGB frames out.
 *
 * <pre>{@code
 * try (var backend = ZeroScopeBackend.load(modelDir, runtime, ZeroScopeOptions.defaults())) {
 *     GeneratedVideo v = backend.generate(new T2vRequest("a panda eating bamboo", 42L), (s, n) -> {}, new Cancellation());
 * }
 * }</pre>
 */
public final class ZeroScopeBackend implements TextToVideoBackend {
    public static final String NAME = "zeroscope-v2";

    private final ZeroScopePipeline pipeline;
    private final BackendCapabilities capabilities;

    private ZeroScopeBackend(ZeroScopePipeline pipeline) {
        this.pipeline = pipeline;
        this.capabilities = pipeline.options().capabilities();
    }

    public static ZeroScopeBackend load(Path dir, InferenceRuntime runtime, ZeroScopeOptions options) {
        return new ZeroScopeBackend(ZeroScopePipeline.load(dir, runtime, options));
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
        ZeroScopePipeline.Result result = pipeline.generate(r.caption(), r.negativePrompt(), r.width(), r.height(),
                r.frames(), r.steps(), r.guidanceScale(), r.seed(), progress, cancel);
        var frames = result.frames();
        if (r.fps() != frames.fps()) {
            frames = new dev.gpt4video.core.video.Frames(frames.width(), frames.height(), r.fps(), frames.rgb());
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("backend", NAME);
        metadata.put("placeholder", false);
        metadata.put("seed", r.seed());
        metadata.put("steps", r.steps());
        metadata.put("scheduler", result.scheduler());
        metadata.put("guidance_scale", r.guidanceScale());
        metadata.put("width", r.width());
        metadata.put("height", r.height());
        metadata.put("frames", r.frames());
        metadata.put("noise", "java.util.Random(seed).nextGaussian");
        return new GeneratedVideo(frames, metadata);
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
