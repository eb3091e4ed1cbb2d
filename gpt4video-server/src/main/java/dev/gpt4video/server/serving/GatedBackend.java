package dev.gpt4video.server.serving;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.safety.SafetyDecision;
import dev.gpt4video.core.safety.SafetyGate;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyStage;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.ProgressListener;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.core.t2v.TextToVideoBackend;

import java.util.function.Consumer;

/**
 * Runs the output-video safety stage on a backend's frames before they are stored: a blocked
 * video fails its job with {@code content_blocked} (never a black video, never a silent drop).
 */
final class GatedBackend implements TextToVideoBackend {
    private final TextToVideoBackend backend;
    private final SafetyGate gate;
    private final Consumer<SafetyDecision> decisions;

    GatedBackend(TextToVideoBackend backend, SafetyGate gate, Consumer<SafetyDecision> decisions) {
        this.backend = backend;
        this.gate = gate;
        this.decisions = decisions;
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public BackendCapabilities capabilities() {
        return backend.capabilities();
    }

    @Override
    public GeneratedVideo generate(T2vRequest request, ProgressListener progress, Cancellation cancel) {
        GeneratedVideo video = backend.generate(request, progress, cancel);
        SafetyDecision d = gate.check(SafetyInput.frames(SafetyStage.OUTPUT_VIDEO, video.frames()));
        decisions.accept(d);
        if (d.blocked()) {
            throw new Gpt4VideoException(ErrorCode.CONTENT_BLOCKED, d.refusal() != null ? d.refusal()
                    : "The generated video was withheld by the output safety check.");
        }
        return video;
    }

    @Override
    public void close() {
        backend.close();
    }
}
