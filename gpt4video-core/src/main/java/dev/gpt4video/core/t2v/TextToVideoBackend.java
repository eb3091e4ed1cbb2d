package dev.gpt4video.core.t2v;

import dev.gpt4video.core.Cancellation;

/**
 * A text-to-video model. The LLM writes plain-text captions, so any backend plugs in without
 * retraining: the caption is the whole interface.
 *
 * <pre>{@code
 * GeneratedVideo v = backend.generate(new T2vRequest("a cat surfing", null), step -> {}, new Cancellation());
 * }</pre>
 */
public interface TextToVideoBackend extends AutoCloseable {

    /** Registry name, e.g. {@code zeroscope-v2}, {@code placeholder}. */
    String name();

    BackendCapabilities capabilities();

    /**
     * Generates frames for a caption, reporting progress per denoising step and stopping within one
     * step of {@code cancel} (then throws {@code cancelled}).
     */
    GeneratedVideo generate(T2vRequest request, ProgressListener progress, Cancellation cancel);

    @Override
    default void close() {
    }
}
