package dev.gpt4video.t2v.redis;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
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
import java.util.concurrent.TimeUnit;

/**
 * A test backend that reports {@code steps} steps per job and, while its gate is shut, stops every
 * job before step 2 (after step 1 was reported) until the gate opens, the job is cancelled or its
 * thread is interrupted; a worker killed there "dies mid-job". Captions starting with {@code fail}
 * throw. It records which captions it began, finished and saw cancelled.
 */
final class ScriptedBackend implements TextToVideoBackend {
    static final String NAME = "scripted";

    private final int steps;
    private final List<String> began = new ArrayList<>();
    private final List<String> finished = new ArrayList<>();
    private final List<String> cancelled = new ArrayList<>();
    private boolean gateOpen;

    ScriptedBackend(int steps, boolean gateOpen) {
        this.steps = steps;
        this.gateOpen = gateOpen;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(16, 16, 2, 8, steps, 0, 64, 64, 8, 100, false);
    }

    synchronized void openGate() {
        gateOpen = true;
        notifyAll();
    }

    synchronized List<String> began() {
        return List.copyOf(began);
    }

    synchronized List<String> finished() {
        return List.copyOf(finished);
    }

    synchronized List<String> cancelled() {
        return List.copyOf(cancelled);
    }

    @Override
    public GeneratedVideo generate(T2vRequest request, ProgressListener progress, Cancellation cancel) {
        String caption = request.caption();
        synchronized (this) {
            began.add(caption);
        }
        try {
            for (int step = 1; step <= request.steps(); step++) {
                if (step == 2) {
                    awaitGate(cancel);
                }
                cancel.throwIfCancelled();
                if (caption.startsWith("fail")) {
                    throw new IllegalStateException("scripted failure of " + caption);
                }
                progress.onStep(step, request.steps());
            }
        } catch (Gpt4VideoException e) {
            if (cancel.isCancelled()) {
                synchronized (this) {
                    cancelled.add(caption);
                }
            }
            throw e;
        }
        byte[] rgb = new byte[request.width() * request.height() * 3];
        Arrays.fill(rgb, (byte) 0x40);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < request.frames(); i++) {
            frames.add(rgb);
        }
        synchronized (this) {
            finished.add(caption);
        }
        return new GeneratedVideo(new Frames(request.width(), request.height(), request.fps(), frames),
                Map.of("backend", NAME, "caption", caption));
    }

    private synchronized void awaitGate(Cancellation cancel) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!gateOpen && !cancel.isCancelled()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the test never opened the gate");
            }
            try {
                // Cancellation has no callback: look again every few milliseconds.
                wait(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Gpt4VideoException(ErrorCode.INTERNAL, "interrupted (the worker died)");
            }
        }
    }
}
