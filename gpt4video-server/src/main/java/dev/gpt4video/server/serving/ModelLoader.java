package dev.gpt4video.server.serving;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.bundle.ComponentSpec;
import dev.gpt4video.core.bundle.ModelManifest;
import dev.gpt4video.core.safety.PermissiveSafetyGate;
import dev.gpt4video.core.safety.SafetyGate;
import dev.gpt4video.core.t2v.TextToVideoBackend;
import dev.gpt4video.server.chat.LanguageEngine;
import dev.gpt4video.server.chat.VideoUnderstanding;
import dev.gpt4video.server.metrics.ServerMetrics;
import dev.gpt4video.t2v.jobs.ArtifactStore;
import dev.gpt4video.t2v.jobs.BackendGallery;
import dev.gpt4video.t2v.jobs.VideoJobEvent;
import dev.gpt4video.t2v.jobs.VideoJobManager;
import dev.gpt4video.t2v.placeholder.PlaceholderBackend;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link ServingModel} from a manifest: each component by its {@code type}. Roles named
 * {@code t2v} or {@code t2v.<name>} are text-to-video backends ({@code t2v} is the default); the
 * {@code placeholder} backend is always there as well.
 */
@Component
public class ModelLoader {
    private final StorageProperties storage;
    private final T2vProperties t2v;
    private final ServerMetrics metrics;

    public ModelLoader(StorageProperties storage, T2vProperties t2v, ServerMetrics metrics) {
        this.storage = storage;
        this.t2v = t2v;
        this.metrics = metrics;
    }

    public ServingModel load(ModelManifest manifest) {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            SafetyGate safety = safetyGate(manifest);
            VideoJobManager videos = videoJobs(manifest, safety, owned);
            LanguageEngine language = languageEngine(manifest, owned);
            VideoUnderstanding vision = null;
            return new ServingModel(manifest, language, vision, safety, videos, owned);
        } catch (RuntimeException e) {
            for (int i = owned.size() - 1; i >= 0; i--) {
                try {
                    owned.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private LanguageEngine languageEngine(ModelManifest manifest, List<AutoCloseable> owned) {
        return null;
    }

    private SafetyGate safetyGate(ModelManifest manifest) {
        return new PermissiveSafetyGate();
    }

    private VideoJobManager videoJobs(ModelManifest manifest, SafetyGate safety, List<AutoCloseable> owned) {
        BackendGallery.Builder gallery = BackendGallery.builder();
        String defaultName = null;
        for (Map.Entry<String, ComponentSpec> e : manifest.components().entrySet()) {
            String role = e.getKey();
            if (!role.equals("t2v") && !role.startsWith("t2v.")) {
                continue;
            }
            TextToVideoBackend backend = t2vBackend(role, e.getValue());
            owned.add(backend);
            gallery.add(gated(backend, safety), t2v.workers(), t2v.queueCapacity());
            if (role.equals("t2v")) {
                defaultName = backend.name();
            }
        }
        if (manifest.components().keySet().stream().noneMatch(r -> r.equals("t2v.placeholder"))
                && !"placeholder".equals(defaultName)) {
            gallery.add(gated(new PlaceholderBackend(), safety), Math.max(1, t2v.workers()), t2v.queueCapacity());
        }
        gallery.defaultBackend(defaultName != null ? defaultName : "placeholder");
        try {
            ArtifactStore store = new ArtifactStore(storage.dir().resolve("videos"), storage.videoTtl(),
                    storage.videoQuota().toBytes());
            VideoJobManager manager = new VideoJobManager(gallery.build(), store);
            owned.add(manager);
            manager.addListener(this::countJobEvent);
            return manager;
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.INTERNAL, "cannot open the video store under " + storage.dir()
                    + ": " + e.getMessage(), e);
        }
    }

    private TextToVideoBackend gated(TextToVideoBackend backend, SafetyGate safety) {
        return new GatedBackend(backend, safety, d -> metrics.safetyDecision(d.stage().id(), d.action().id(),
                d.categories().isEmpty() ? null : d.categories().get(0)));
    }

    private void countJobEvent(VideoJobEvent event) {
        switch (event) {
            case VideoJobEvent.Progress p -> {
            }
            default -> metrics.t2vJob(event.job().backend(), event.job().state().wireName());
        }
    }

    private TextToVideoBackend t2vBackend(String role, ComponentSpec spec) {
        return switch (spec.type()) {
            case "placeholder" -> new PlaceholderBackend();
            default -> throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "component '" + role
                    + "': unknown text-to-video type '" + spec.type() + "'");
        };
    }
}
