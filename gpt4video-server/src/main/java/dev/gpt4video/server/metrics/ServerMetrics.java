package dev.gpt4video.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The server's own meters, named after vLLM's so its dashboards port (see {@code docs/metrics.md}):
 * time to first token, inter-token latency, end-to-end latency, token counters, waiting/running
 * requests and KV-cache usage, plus video decode/encode time, text-to-video jobs and safety
 * decisions. Prometheus names carry the {@code gpt4video_} prefix and unit suffixes.
 */
@Component
public class ServerMetrics {
    private static final Duration[] LATENCY_SLOS = {
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final MeterRegistry registry;
    private final Timer ttft;
    private final Timer interToken;
    private final Timer e2e;
    private final Counter promptTokens;
    private final Counter generationTokens;

    public ServerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.ttft = latency("gpt4video.time_to_first_token", "Time from request arrival to the first generated token");
        this.interToken = latency("gpt4video.inter_token_latency", "Time between consecutive generated tokens of a request");
        this.e2e = latency("gpt4video.e2e_request_latency", "Time from request arrival to its last token");
        this.promptTokens = Counter.builder("gpt4video.prompt_tokens").description("Prompt tokens processed (video embedding rows included)")
                .register(registry);
        this.generationTokens = Counter.builder("gpt4video.generation_tokens").description("Tokens generated")
                .register(registry);
    }

    private Timer latency(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(LATENCY_SLOS)
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
    }


    public void timeToFirstToken(long nanos) {
        ttft.record(Duration.ofNanos(nanos));
    }

    public void interTokenLatency(long nanos) {
        interToken.record(Duration.ofNanos(nanos));
    }

    public void requestFinished(long nanos, int prompt, int completion, String endpoint, String finishReason) {
        e2e.record(Duration.ofNanos(nanos));
        promptTokens.increment(prompt);
        generationTokens.increment(completion);
        Counter.builder("gpt4video.request_success").description("Finished generation requests by finish reason")
                .tag("endpoint", endpoint).tag("finished_reason", finishReason).register(registry).increment();
    }

    /** Registers the scheduler's gauges (waiting, running, KV-cache usage) for one model. */
    public void schedulerGauges(String model, Supplier<Number> waiting, Supplier<Number> running, Supplier<Number> kvUsage) {
        Gauge.builder("gpt4video.num_requests_waiting", waiting).tag("model", model)
                .description("Requests waiting to be scheduled").register(registry);
        Gauge.builder("gpt4video.num_requests_running", running).tag("model", model)
                .description("Requests in the running batch").register(registry);
        Gauge.builder("gpt4video.kv_cache_usage_perc", kvUsage).tag("model", model)
                .description("Fraction of the KV-cache token budget in use (0..1)").register(registry);
    }

    public void videoDecode(long nanos) {
        Timer.builder("gpt4video.video_decode").description("Decoding and sampling an input video")
                .register(registry).record(Duration.ofNanos(nanos));
    }

    public void videoEncode(long nanos) {
        Timer.builder("gpt4video.video_encode").description("Vision tower + abstractor over one video")
                .register(registry).record(Duration.ofNanos(nanos));
    }

    public void videoEncodeCacheHit() {
        Counter.builder("gpt4video.video_encode_cache_hits").description("Videos whose embeddings came from the cache")
                .register(registry).increment();
    }

    public void t2vJob(String backend, String state) {
        t2vJobs(backend, state).increment();
    }

    /** The job counter for one backend and state; registering it early makes it scrape as 0. */
    public Counter t2vJobs(String backend, String state) {
        return Counter.builder("gpt4video.t2v_jobs").description("Text-to-video jobs by final or entered state")
                .tag("backend", backend).tag("state", state).register(registry);
    }

    public void t2vQueueGauge(String backend, Supplier<Number> depth) {
        Gauge.builder("gpt4video.t2v_queue_depth", depth).tag("backend", backend)
                .description("Text-to-video jobs waiting").register(registry);
    }

    /** Counts one gate decision under its first triggering category ({@code none} when allowed). */
    public void safetyDecision(dev.gpt4video.core.safety.SafetyDecision d) {
        safetyDecision(d.stage().id(), d.action().id(), d.categories().isEmpty() ? null : d.categories().get(0));
    }

    public void safetyDecision(String stage, String action, String category) {
        Counter.builder("gpt4video.safety_decisions").description("Safety gate decisions by stage, action and category")
                .tag("stage", stage).tag("action", action).tag("category", category == null ? "none" : category)
                .register(registry).increment();
    }

    /** 1 while a safety classifier is loaded and its latest call worked, else 0 (its stages fail closed). */
    public void safetyClassifier(String classifier, Supplier<Number> available) {
        Gauge.builder("gpt4video.safety_classifier_available", available).tag("classifier", classifier)
                .description("Whether a safety classifier is available (0: its generation stages fail closed)")
                .register(registry);
    }

    public void refusal(String stage) {
        Counter.builder("gpt4video.refusals").description("Refusals shown to users, by stage (model = the LLM's own)")
                .tag("stage", stage).register(registry).increment();
    }

}
