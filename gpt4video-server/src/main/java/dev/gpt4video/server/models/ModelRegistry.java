package dev.gpt4video.server.models;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.bundle.DemoBundleGenerator;
import dev.gpt4video.core.bundle.ModelManifest;
import dev.gpt4video.server.Gpt4VideoProperties;
import dev.gpt4video.server.serving.ModelLoader;
import dev.gpt4video.server.serving.ServingModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The model the server answers with. At start-up it loads {@code gpt4video.models} on a background
 * thread (writing the demo bundle first when that is what is configured and it is missing), and
 * readiness follows it: {@link ReadinessState#REFUSING_TRAFFIC} until the model is loaded, then
 * {@link ReadinessState#ACCEPTING_TRAFFIC}.
 *
 * <p>What was loaded is a {@link ServingModel} ({@link #serving()}), built by {@link ModelLoader}.
 */
@Component
public class ModelRegistry implements SmartLifecycle, DisposableBean {

    /** Where loading stands. */
    public enum Phase { LOADING, READY, FAILED }

    /** The loaded model: its manifest, where it came from and when it was loaded. */
    public record LoadedModel(ModelManifest manifest, Path source, Instant loadedAt) {
    }

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    private final Gpt4VideoProperties properties;
    private final ModelLoader modelLoader;
    private final ApplicationEventPublisher events;
    private final Object lock = new Object();

    // Written under lock; volatile so the health endpoint and controllers read them without it.
    private volatile Phase phase = Phase.LOADING;
    private volatile LoadedModel model;
    private volatile ServingModel serving;
    private volatile String failure;
    private volatile Thread loader;

    public ModelRegistry(Gpt4VideoProperties properties, ModelLoader loader, ApplicationEventPublisher events) {
        this.properties = properties;
        this.modelLoader = loader;
        this.events = events;
    }

    public Phase phase() {
        return phase;
    }

    /** The loaded model, empty while loading or after a failure. */
    public Optional<LoadedModel> model() {
        return Optional.ofNullable(model);
    }

    /** Why loading failed, empty unless {@link #phase()} is {@link Phase#FAILED}. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** The path being served, as configured. */
    public Path source() {
        return properties.models();
    }

    /**
     * The loaded model, or a {@link ErrorCode#NOT_READY} error saying why there is none; for request
     * handlers.
     */
    public LoadedModel requireModel() {
        LoadedModel m = model;
        if (m != null) {
            return m;
        }
        throw new Gpt4VideoException(ErrorCode.NOT_READY, phase == Phase.FAILED
                ? "model loading failed: " + failure
                : "models are still loading from " + properties.models());
    }

    /** The loaded components, or a {@link ErrorCode#NOT_READY} error saying why there are none. */
    public ServingModel serving() {
        ServingModel s = serving;
        if (s != null) {
            return s;
        }
        requireModel();
        throw new Gpt4VideoException(ErrorCode.NOT_READY, "models are still loading");
    }

    /**
     * Spring publishes {@code ACCEPTING_TRAFFIC} once the application has started, which may be
     * before the model is loaded; this puts readiness back until it is. The {@code models} health
     * indicator is also in the readiness group, so the probe never reports UP early.
     */
    @EventListener
    public void onReadinessChange(AvailabilityChangeEvent<ReadinessState> event) {
        synchronized (lock) {
            if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC && phase != Phase.READY) {
                AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
            }
        }
    }

    /** Starts loading in the background; called by Spring as the context starts. */
    @Override
    public void start() {
        loader = Thread.ofVirtual().name("model-loader").start(this::load);
    }

    /** Early: loading then overlaps with the rest of start-up (the web server starts in a later phase). */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE / 2;
    }

    @Override
    public void stop() {
        Thread t = loader;
        if (t != null && t.isAlive()) {
            t.interrupt();
        }
        loader = null;
    }

    @Override
    public boolean isRunning() {
        return loader != null;
    }

    /** Loads the configured model; runs on the loader thread, visible for tests. */
    void load() {
        long start = System.nanoTime();
        Path path = properties.models();
        try {
            if (properties.servesDemoBundle() && properties.demo().generateIfMissing()) {
                DemoBundleGenerator.discover().ensure(path, properties.demo().seed());
            }
            ModelManifest manifest = ModelManifest.load(path);
            ServingModel loaded = modelLoader == null ? null : modelLoader.load(manifest);
            synchronized (lock) {
                serving = loaded;
                model = new LoadedModel(manifest, path.toAbsolutePath().normalize(), Instant.now());
                phase = Phase.READY;
                AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
            }
            log.info("model {} loaded from {} in {} ms{}: components {}", manifest.name(), path,
                    Duration.ofNanos(System.nanoTime() - start).toMillis(),
                    manifest.demo() ? " (demo bundle, " + manifest.label() + ")" : "", manifest.components().keySet());
        } catch (RuntimeException e) {
            synchronized (lock) {
                failure = e.getMessage();
                phase = Phase.FAILED;
                AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
            }
            log.error("loading models from {} failed; the server stays unready", path.toAbsolutePath(), e);
        }
    }

    /** Releases the loaded models (their native memory, threads and queues). */
    @Override
    public void destroy() {
        ServingModel s = serving;
        serving = null;
        if (s != null) {
            s.close();
        }
    }
}
