package dev.gpt4video.t2v.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Every event a manager published, with a way to wait for one (30 s, then the test fails). */
final class RecordedEvents implements VideoJobListener {
    private final List<VideoJobEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(VideoJobEvent event) {
        events.add(event);
        notifyAll();
    }

    synchronized List<VideoJobEvent> all() {
        return List.copyOf(events);
    }

    synchronized List<VideoJobEvent> of(String jobId) {
        return events.stream().filter(e -> e.job().id().equals(jobId)).toList();
    }

    /** Types of the events, as {@code type:caption}, in order. */
    synchronized List<String> timeline() {
        List<String> out = new ArrayList<>();
        for (VideoJobEvent e : events) {
            out.add(e.type() + ":" + e.job().request().caption());
        }
        return out;
    }

    <T extends VideoJobEvent> T await(Class<T> type, String jobId) throws InterruptedException {
        return type.cast(await(e -> type.isInstance(e) && e.job().id().equals(jobId), type.getSimpleName() + " of " + jobId));
    }

    synchronized VideoJobEvent await(Predicate<VideoJobEvent> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            for (VideoJobEvent e : events) {
                if (wanted.test(e)) {
                    return e;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + what + " event; got " + timeline());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
