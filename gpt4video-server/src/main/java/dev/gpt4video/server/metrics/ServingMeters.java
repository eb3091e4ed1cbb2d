package dev.gpt4video.server.metrics;

import dev.gpt4video.server.models.ModelRegistry;
import dev.gpt4video.t2v.jobs.JobState;
import dev.gpt4video.t2v.jobs.VideoJobs;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Registers the meters that belong to the loaded model once it is ready: the text-to-video queue
 * depth per backend ({@code gpt4video_t2v_queue_depth}, which the worker autoscaler reads; in
 * distributed mode the jobs waiting in Redis, the same on every process) and the
 * job counters per backend and state at zero, so dashboards and autoscalers see a series before the
 * first job rather than none.
 */
@Component
public class ServingMeters {
    private final ModelRegistry registry;
    private final ServerMetrics metrics;

    public ServingMeters(ModelRegistry registry, ServerMetrics metrics) {
        this.registry = registry;
        this.metrics = metrics;
    }

    /** The registry announces readiness once the model is loaded (Spring may announce it earlier). */
    @EventListener
    public void onReadiness(AvailabilityChangeEvent<ReadinessState> event) {
        if (event.getState() != ReadinessState.ACCEPTING_TRAFFIC || registry.phase() != ModelRegistry.Phase.READY) {
            return;
        }
        VideoJobs videos = registry.serving().videos();
        // Registering the same name and tags again returns the existing meter, so a repeated event is harmless.
        for (String name : videos.backends()) {
            metrics.t2vQueueGauge(name, () -> videos.queueDepth(name));
            for (JobState state : JobState.values()) {
                metrics.t2vJobs(name, state.wireName());
            }
        }
    }
}
