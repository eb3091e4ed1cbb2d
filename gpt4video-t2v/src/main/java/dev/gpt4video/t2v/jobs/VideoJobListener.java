package dev.gpt4video.t2v.jobs;

/**
 * Receives job events, in the order they happened, on the manager's one event thread. A listener
 * may call back into the manager; one that blocks delays the events of every job after it.
 */
@FunctionalInterface
public interface VideoJobListener {
    void onEvent(VideoJobEvent event);
}
