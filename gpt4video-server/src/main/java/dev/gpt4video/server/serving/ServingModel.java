package dev.gpt4video.server.serving;

import dev.gpt4video.core.bundle.ModelManifest;
import dev.gpt4video.core.safety.SafetyGate;
import dev.gpt4video.server.chat.LanguageEngine;
import dev.gpt4video.server.chat.VideoUnderstanding;
import dev.gpt4video.t2v.jobs.VideoJobManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything the server answers with once a manifest is loaded: the safety gate and the
 * text-to-video job manager (and, as they are configured, the language model and vision pipeline).
 * It owns their native memory and threads; {@link #close()} releases them, last created first.
 */
public final class ServingModel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServingModel.class);

    private final ModelManifest manifest;
    private final LanguageEngine language;
    private final VideoUnderstanding vision;
    private final SafetyTools safety;
    private final VideoJobManager videos;
    private final List<AutoCloseable> owned;

    ServingModel(ModelManifest manifest, LanguageEngine language, VideoUnderstanding vision, SafetyTools safety,
                 VideoJobManager videos, List<AutoCloseable> owned) {
        this.manifest = manifest;
        this.language = language;
        this.vision = vision;
        this.safety = safety;
        this.videos = videos;
        this.owned = new ArrayList<>(owned);
    }

    public String id() {
        return manifest.name();
    }

    public ModelManifest manifest() {
        return manifest;
    }

    /** The language model, absent for a bundle that only generates videos. */
    public Optional<LanguageEngine> language() {
        return Optional.ofNullable(language);
    }

    /** The video pipeline, absent for a text-only model. */
    public Optional<VideoUnderstanding> vision() {
        return Optional.ofNullable(vision);
    }

    public SafetyGate safety() {
        return safety.gate();
    }

    /** The gate with its classifiers, for moderation and health. */
    public SafetyTools safetyTools() {
        return safety;
    }

    public VideoJobManager videos() {
        return videos;
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed", owned.get(i), e);
            }
        }
        owned.clear();
    }
}
