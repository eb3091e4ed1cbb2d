package dev.gpt4video.t2v.jobs;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.t2v.BackendCapabilities;
import dev.gpt4video.core.t2v.GeneratedVideo;
import dev.gpt4video.core.t2v.ProgressListener;
import dev.gpt4video.core.t2v.T2vRequest;
import dev.gpt4video.core.t2v.TextToVideoBackend;
import dev.gpt4video.core.video.Frames;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend whose every denoising step waits for a permit from the test, so the test decides when
 * each step happens. It records which steps began, and which generations let go of their working
 * memory (the backend contract: after a cancel nothing of the generation stays referenced).
 */
final class StepBackend implements TextToVideoBackend {
    private final String name;
    private final int steps;
    private final Semaphore permits = new Semaphore(0);
    private final Condition reached = new Condition();
    final Set<String> released = ConcurrentHashMap.newKeySet();
    final AtomicInteger live = new AtomicInteger();
    /** When set, a step waiting for its permit also ends as soon as the job is cancelled. */
    volatile boolean stopWaitingWhenCancelled;

    StepBackend(String name, int steps) {
        this.name = name;
        this.steps = steps;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(16, 16, 2, 8, steps, 0, 64, 64, 8, 100, false);
    }

    /** Lets {@code n} more steps run. */
    void allow(int n) {
        permits.release(n);
    }

    /** Waits until the generation of {@code caption} has begun step {@code step}. */
    void awaitStep(String caption, int step) throws InterruptedException {
        reached.await(caption + ":" + step);
    }

    boolean began(String caption, int step) {
        return reached.has(caption + ":" + step);
    }

    @Override
    public GeneratedVideo generate(T2vRequest request, ProgressListener progress, Cancellation cancel) {
        live.incrementAndGet();
        List<byte[]> activations = new ArrayList<>();
        try {
            for (int step = 1; step <= steps; step++) {
                reached.add(request.caption() + ":" + step);
                waitForPermit(cancel);
                cancel.throwIfCancelled();
                activations.add(new byte[4096]);
                progress.onStep(step, steps);
            }
            int w = request.width();
            int h = request.height();
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < request.frames(); i++) {
                byte[] rgb = new byte[w * h * 3];
                Arrays.fill(rgb, (byte) 0x60);
                frames.add(rgb);
            }
            return new GeneratedVideo(new Frames(w, h, request.fps(), frames), Map.of("backend", name));
        } finally {
            activations.clear();
            live.decrementAndGet();
            released.add(request.caption());
        }
    }

    private void waitForPermit(Cancellation cancel) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try {
            while (!permits.tryAcquire(stopWaitingWhenCancelled ? 5 : 1000, TimeUnit.MILLISECONDS)) {
                if (stopWaitingWhenCancelled && cancel.isCancelled()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the test never allowed the next step of " + name);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A set of strings one can wait on. */
    private static final class Condition {
        private final Set<String> seen = new java.util.HashSet<>();

        synchronized void add(String s) {
            seen.add(s);
            notifyAll();
        }

        synchronized boolean has(String s) {
            return seen.contains(s);
        }

        synchronized void await(String s) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!seen.contains(s)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("never reached " + s);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }
}
