package dev.gpt4video.t2v.redis;

import dev.gpt4video.t2v.jobs.VideoJobEvent;
import dev.gpt4video.t2v.jobs.VideoJobListener;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Every event a listener got, with a way to wait (30 s at most, then the test fails) for some. */
final class EventLog implements VideoJobListener {
    private final List<VideoJobEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(VideoJobEvent event) {
        events.add(event);
        notifyAll();
    }

    synchronized List<VideoJobEvent> of(String jobId) {
        return events.stream().filter(e -> e.job().id().equals(jobId)).toList();
    }

    synchronized long count(Class<? extends VideoJobEvent> type, String jobId) {
        return of(jobId).stream().filter(type::isInstance).count();
    }

    synchronized List<String> types(String jobId) {
        return of(jobId).stream().map(VideoJobEvent::type).toList();
    }

    /** Waits until {@code jobId} has had {@code n} events of {@code type}; returns the last of them. */
    synchronized <T extends VideoJobEvent> T await(Class<T> type, String jobId, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<VideoJobEvent> matching = of(jobId).stream().filter(type::isInstance).toList();
            if (matching.size() >= n) {
                return type.cast(matching.get(n - 1));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + n + "x " + type.getSimpleName() + " of " + jobId + "; got "
                        + types(jobId));
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    <T extends VideoJobEvent> T await(Class<T> type, String jobId) throws InterruptedException {
        return await(type, jobId, 1);
    }

    /** Waits until some event satisfies {@code wanted}. */
    synchronized void awaitAny(Predicate<VideoJobEvent> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (events.stream().noneMatch(wanted)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("never saw " + what);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
