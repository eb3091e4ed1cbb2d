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
import dev.gpt4video.t2v.jobs.VideoJobs;
import dev.gpt4video.t2v.redis.RedisJobSettings;
import dev.gpt4video.t2v.redis.RedisVideoJobs;
import dev.gpt4video.t2v.redis.RedisVideoWorker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import dev.gpt4video.t2v.placeholder.PlaceholderBackend;
import dev.gpt4video.t2v.videocrafter.VideoCrafterBackend;
import dev.gpt4video.t2v.videocrafter.VideoCrafterOptions;
import dev.gpt4video.t2v.zeroscope.ZeroScopeBackend;
import dev.gpt4video.t2v.zeroscope.ZeroScopeOptions;
import dev.gpt4video.abstractor.AbstractorMode;
import dev.gpt4video.abstractor.EmbeddingCache;
import dev.gpt4video.abstractor.VisualPipeline;
import dev.gpt4video.abstractor.decode.VideoDecoder;
import dev.gpt4video.core.bundle.ComponentRoles;
import dev.gpt4video.core.chat.PromptTemplate;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.runtime.RuntimeOptions;
import dev.gpt4video.llm.generate.BatchScheduler;
import dev.gpt4video.llm.generate.Scheduler;
import dev.gpt4video.llm.generate.SchedulerOptions;
import dev.gpt4video.llm.llama.LlamaModel;
import dev.gpt4video.llm.lora.LoraAdapter;
import dev.gpt4video.llm.tokenizer.Tokenizer;
import dev.gpt4video.server.chat.VisionEngine;
import dev.gpt4video.core.safety.SafetyStage;
import dev.gpt4video.safety.nsfwjs.NsfwjsFrameClassifier;
import dev.gpt4video.safety.policy.AuditLog;
import dev.gpt4video.safety.policy.ClassifierHealth;
import dev.gpt4video.safety.policy.DefaultSafetyGate;
import dev.gpt4video.safety.policy.SafetyPolicy;
import dev.gpt4video.safety.text.MiniLmSentenceEncoder;
import dev.gpt4video.safety.text.SemanticTextClassifier;
import dev.gpt4video.safety.text.TextPrototypes;
import dev.gpt4video.safety.video.VideoSafetyClassifier;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.nio.file.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link ServingModel} from a manifest: each component by its {@code type}. Roles named
 * {@code t2v} or {@code t2v.<name>} are text-to-video backends ({@code t2v} is the default); the
 * {@code placeholder} backend is always there as well. In distributed mode
 * ({@link DistributedProperties}) a chat server loads no backends and hands video jobs to workers
 * over Redis; a worker loads the backends (and the safety gate) but no language model or vision.
 */
@Component
public class ModelLoader {
    private static final Logger log = LoggerFactory.getLogger(ModelLoader.class);

    private final StorageProperties storage;
    private final T2vProperties t2v;
    private final LlmProperties llm;
    private final RuntimeProperties runtimeProperties;
    private final SafetyProperties safety;
    private final VideoDecoder decoder;
    private final ServerMetrics metrics;
    private final DistributedProperties distributed;

    /** Single node: video jobs run in this process. */
    public ModelLoader(StorageProperties storage, T2vProperties t2v, LlmProperties llm, RuntimeProperties runtime,
                       SafetyProperties safety, VideoDecoder decoder, ServerMetrics metrics) {
        this(storage, t2v, llm, runtime, safety, decoder, metrics, DistributedProperties.singleNode());
    }

    @Autowired
    public ModelLoader(StorageProperties storage, T2vProperties t2v, LlmProperties llm, RuntimeProperties runtime,
                       SafetyProperties safety, VideoDecoder decoder, ServerMetrics metrics,
                       DistributedProperties distributed) {
        this.distributed = distributed;
        this.safety = safety;
        this.storage = storage;
        this.t2v = t2v;
        this.llm = llm;
        this.runtimeProperties = runtime;
        this.decoder = decoder;
        this.metrics = metrics;
    }

    public ServingModel load(ModelManifest manifest) {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            InferenceRuntime runtime = InferenceRuntime.create(new RuntimeOptions(null, runtimeProperties.device(),
                    runtimeProperties.dtype()));
            owned.add(runtime);
            SafetyTools safetyTools = safetyTools(manifest, runtime, owned);
            SafetyGate safety = safetyTools.gate();
            VideoJobs videos = videoJobs(manifest, safety, runtime, owned);
            boolean worker = distributed.worker();
            if (worker) {
                log.info("worker profile: running text-to-video jobs from Redis; no language model or vision pipeline");
            }
            VisionEngine vision = worker ? null : visionEngine(manifest, runtime, owned);
            LanguageEngine language = worker ? null : languageEngine(manifest, runtime, vision != null, owned);
            if (vision != null && language != null && vision.pipeline().hiddenSize() != language.hiddenSize()) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "the abstractor produces "
                        + vision.pipeline().hiddenSize() + "-wide embeddings but the language model is "
                        + language.hiddenSize() + " wide");
            }
            return new ServingModel(manifest, language, vision, safetyTools, videos, owned);
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

    /**
     * Role {@code llm}, type {@code llama}: an HF LLaMA folder (options: {@code weight_prefix},
     * {@code template}); role {@code tokenizer} (default: the LLM folder); role {@code lora}, type
     * {@code peft-lora}: a PEFT adapter folder merged at load.
     */
    private LanguageEngine languageEngine(ModelManifest manifest, InferenceRuntime runtime, boolean hasVision,
                                          List<AutoCloseable> owned) {
        ComponentSpec spec = manifest.component(ComponentRoles.LLM).orElse(null);
        if (spec == null) {
            return null;
        }
        if (!spec.type().equals("llama")) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "component 'llm': unknown type '" + spec.type()
                    + "' (expected llama)");
        }
        Path dir = requirePath("llm", spec);
        Object prefix = spec.options().get("weight_prefix");
        LlamaModel base = LlamaModel.load(dir, runtime.newModelManager("llm"), runtime.dataType(),
                new LlamaModel.LoadOptions(prefix == null ? null : prefix.toString(), WeightLoader.Mode.STRICT, null));
        owned.add(base);
        LlamaModel model = base;
        ComponentSpec lora = manifest.component(ComponentRoles.LORA).orElse(null);
        if (lora != null) {
            model = base.withAdapter(LoraAdapter.load(requirePath("lora", lora)), "lora");
        }
        Path tokenizerDir = manifest.component(ComponentRoles.TOKENIZER).map(t -> requirePath("tokenizer", t)).orElse(dir);
        Tokenizer tokenizer = Tokenizer.load(tokenizerDir);
        SchedulerOptions options = SchedulerOptions.defaults(model.config())
                .withMaxBatchSize(llm.maxBatchSize()).withMaxWaiting(llm.maxWaiting());
        if (llm.kvTokenBudget() > 0) {
            options = options.withKvTokenBudget(llm.kvTokenBudget());
        }
        Scheduler scheduler = newScheduler(model, tokenizer, options);
        Object template = spec.options().get("template");
        PromptTemplate prompt = PromptTemplate.named(template != null ? template.toString()
                : hasVision ? "mplug-owl-video" : "plain");
        LanguageEngine engine = new LanguageEngine(model, tokenizer, scheduler, prompt);
        owned.add(scheduler);
        metrics.schedulerGauges(manifest.name(), () -> scheduler.stats().waiting(), () -> scheduler.stats().running(),
                () -> {
                    var st = scheduler.stats();
                    return st.kvTokensLimit() == 0 ? 0 : st.kvTokensUsed() / (double) st.kvTokensLimit();
                });
        log.info("language model {} ({} layers, hidden {}, context {}), template {}{}", dir, model.config().numHiddenLayers(),
                model.config().hiddenSize(), model.config().maxPositionEmbeddings(), prompt.name(),
                lora == null ? "" : ", LoRA " + lora.path());
        return engine;
    }

    /**
     * Role {@code vision} ({@code mplug-owl-video-vision} or {@code clip-vision}) with role
     * {@code abstractor} (its folder; option {@code mode}: {@code mplug-owl-video} or {@code paper}).
     */
    private VisionEngine visionEngine(ModelManifest manifest, InferenceRuntime runtime, List<AutoCloseable> owned) {
        ComponentSpec vision = manifest.component(ComponentRoles.VISION).orElse(null);
        if (vision == null) {
            return null;
        }
        ComponentSpec abstractor = manifest.component(ComponentRoles.ABSTRACTOR).orElse(vision);
        Object mode = abstractor.options().get("mode");
        VisualPipeline pipeline = VisualPipeline.load(requirePath("vision", vision), requirePath("abstractor", abstractor),
                AbstractorMode.of(mode == null ? "mplug-owl-video" : mode.toString()), runtime.newModelManager("vision"),
                runtime.dataType());
        Object frames = vision.options().get("frames");
        VisionEngine engine = new VisionEngine(pipeline, decoder,
                new EmbeddingCache(new EmbeddingCache.Settings(llm.cacheEntries(), llm.cacheBytes())),
                frames instanceof Number n ? n.intValue() : 4, metrics);
        owned.add(engine);
        return engine;
    }

    /** The continuous-batching scheduler; tests replace it to script replies. */
    protected Scheduler newScheduler(LlamaModel model, Tokenizer tokenizer, SchedulerOptions options) {
        return new BatchScheduler(model, tokenizer, options);
    }

    private static Path requirePath(String role, ComponentSpec spec) {
        if (spec.path() == null) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "component '" + role + "' needs a path");
        }
        return spec.path();
    }

    /**
     * The standard gate: the semantic text classifier on the text stages and nsfwjs on the video
     * stages. Each is loaded so that a failure leaves the gate running with that classifier
     * unavailable: generation stages then fail closed, and health and metrics show it.
     */
    private SafetyTools safetyTools(ModelManifest manifest, InferenceRuntime runtime, List<AutoCloseable> owned) {
        ComponentSpec spec = manifest.component(ComponentRoles.SAFETY).orElse(null);
        String gate = spec != null && spec.type().equals("permissive") ? "permissive" : safety.gate();
        if (gate.equals("permissive")) {
            return new SafetyTools(new PermissiveSafetyGate(), null);
        }
        if (!gate.equals("standard")) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "gpt4video.safety.gate: expected standard or permissive, got '"
                    + gate + "'");
        }
        Object policyOption = spec == null ? null : spec.options().get("policy");
        SafetyPolicy policy = policyOption instanceof java.util.Map<?, ?> inline
                ? SafetyPolicy.fromJson(new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(inline))
                : policyOption != null ? SafetyPolicy.read(Path.of(policyOption.toString()))
                : safety.policy() != null ? SafetyPolicy.read(safety.policy()) : SafetyPolicy.defaults();
        Path nsfwjsDir = spec != null && spec.path() != null ? spec.path() : safety.nsfwjsDir();
        Path audit = safety.auditLog() != null ? safety.auditLog() : storage.dir().resolve("safety-audit.jsonl");
        NsfwjsFrameClassifier[] frames = {null};
        DefaultSafetyGate built = DefaultSafetyGate.builder().policy(policy).auditLog(AuditLog.toFile(audit))
                .classifier("semantic-text", EnumSet.of(SafetyStage.INPUT_TEXT, SafetyStage.OUTPUT_PROMPT),
                        () -> SemanticTextClassifier.create(MiniLmSentenceEncoder.load(), TextPrototypes.bundled()))
                .classifier("nsfwjs-mobilenet-v2", EnumSet.of(SafetyStage.INPUT_VIDEO, SafetyStage.OUTPUT_VIDEO), () -> {
                    if (safety.frameClassifier().equals("none")) {
                        throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                                "disabled by gpt4video.safety.frame-classifier=none");
                    }
                    frames[0] = NsfwjsFrameClassifier.load(nsfwjsDir, runtime.newModelManager("nsfwjs"));
                    return new VideoSafetyClassifier(frames[0], policy.frameAggregation());
                })
                .build();
        owned.add(built);
        for (var h : built.classifierHealth()) {
            if (!h.available()) {
                log.warn("safety classifier {} is unavailable ({}); its stages {} fail closed for generation",
                        h.name(), h.lastError(), h.stages());
            }
            metrics.safetyClassifier(h.name(), () -> built.classifierHealth().stream()
                    .filter(x -> x.name().equals(h.name())).anyMatch(ClassifierHealth::available) ? 1 : 0);
        }
        return new SafetyTools(built, frames[0]);
    }

    /**
     * Single node: a {@link VideoJobManager} running the gallery here. Distributed: a
     * {@link RedisVideoJobs} client, plus (worker profile) a {@link RedisVideoWorker} running the gallery.
     */
    private VideoJobs videoJobs(ModelManifest manifest, SafetyGate safety, InferenceRuntime runtime,
                                List<AutoCloseable> owned) {
        ArtifactStore store = artifactStore();
        if (!distributed.enabled()) {
            if (distributed.worker()) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "the worker profile needs "
                        + "gpt4video.t2v.distributed.redis-url (the Redis that chat servers put video jobs on)");
            }
            try {
                VideoJobManager manager = new VideoJobManager(gallery(manifest, safety, runtime, owned), store);
                owned.add(manager);
                manager.addListener(this::countJobEvent);
                return manager;
            } catch (IOException e) {
                throw new Gpt4VideoException(ErrorCode.INTERNAL, "cannot open the video store under " + storage.dir()
                        + ": " + e.getMessage(), e);
            }
        }
        RedisURI uri;
        try {
            uri = RedisURI.create(distributed.redisUrl());
        } catch (RuntimeException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "gpt4video.t2v.distributed.redis-url: "
                    + e.getMessage(), e);
        }
        RedisClient redis = RedisClient.create(uri);
        owned.add(redis::shutdown);
        RedisJobSettings settings;
        try {
            settings = distributed.settings(t2v.queueCapacity());
        } catch (IllegalArgumentException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "gpt4video.t2v.distributed: " + e.getMessage(), e);
        }
        String where = uri.getHost() + ":" + uri.getPort();
        try {
            if (distributed.worker()) {
                RedisVideoWorker worker = new RedisVideoWorker(redis, gallery(manifest, safety, runtime, owned), store,
                        settings, distributed.workerIdOrDefault());
                owned.add(worker);
            }
            RedisVideoJobs jobs = new RedisVideoJobs(redis, store, settings);
            owned.add(jobs);
            jobs.addLocalListener(this::countJobEvent);
            log.info("video jobs go through Redis at {} (keys {}:*), videos in {}", where, settings.keyPrefix(),
                    store.root());
            return jobs;
        } catch (RedisException e) {
            throw new Gpt4VideoException(ErrorCode.NOT_READY, "cannot use Redis at " + where + " for video jobs: "
                    + e.getMessage(), e);
        }
    }

    /** Videos under {@code <storage>/videos}; in distributed mode a folder every server and worker shares. */
    private ArtifactStore artifactStore() {
        try {
            return new ArtifactStore(storage.dir().resolve("videos"), storage.videoTtl(), storage.videoQuota().toBytes());
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.INTERNAL, "cannot open the video store under " + storage.dir()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The manifest's text-to-video backends (roles {@code t2v}, {@code t2v.<name>}) and the placeholder, gated. */
    private BackendGallery gallery(ModelManifest manifest, SafetyGate safety, InferenceRuntime runtime,
                                  List<AutoCloseable> owned) {
        BackendGallery.Builder gallery = BackendGallery.builder();
        String defaultName = null;
        for (Map.Entry<String, ComponentSpec> e : manifest.components().entrySet()) {
            String role = e.getKey();
            if (!role.equals("t2v") && !role.startsWith("t2v.")) {
                continue;
            }
            TextToVideoBackend backend = t2vBackend(role, e.getValue(), runtime);
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
        return gallery.build();
    }

    private TextToVideoBackend gated(TextToVideoBackend backend, SafetyGate safety) {
        return new GatedBackend(backend, safety, metrics::safetyDecision);
    }

    private void countJobEvent(VideoJobEvent event) {
        switch (event) {
            case VideoJobEvent.Progress p -> {
            }
            default -> metrics.t2vJob(event.job().backend(), event.job().state().wireName());
        }
    }

    private TextToVideoBackend t2vBackend(String role, ComponentSpec spec, InferenceRuntime runtime) {
        return switch (spec.type()) {
            case "placeholder" -> new PlaceholderBackend();
            case "zeroscope-v2" -> ZeroScopeBackend.load(requirePath(role, spec), runtime,
                    ZeroScopeOptions.fromMap(spec.options()));
            case "videocrafter1" -> VideoCrafterBackend.load(requirePath(role, spec), runtime,
                    VideoCrafterOptions.fromMap(spec.options()));
            default -> throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "component '" + role
                    + "': unknown text-to-video type '" + spec.type() + "'");
        };
    }
}
