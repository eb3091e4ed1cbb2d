package dev.gpt4video.server;

import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.generate.FinishReason;
import dev.gpt4video.llm.generate.GeneratedToken;
import dev.gpt4video.llm.generate.GenerationHandle;
import dev.gpt4video.llm.generate.GenerationRequest;
import dev.gpt4video.llm.generate.GenerationResult;
import dev.gpt4video.llm.generate.Scheduler;
import dev.gpt4video.llm.generate.SchedulerStats;
import dev.gpt4video.llm.generate.TokenListener;
import dev.gpt4video.llm.generate.Usage;
import dev.gpt4video.llm.tokenizer.StreamDecoder;
import dev.gpt4video.llm.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * TEST-ONLY model stub: while {@link #reply} is set, requests get that text back (tokenized with
 * the real tokenizer, streamed token by token) instead of the random demo model's output, so
 * tests can make the reply contain a {@code <video>} span. With no reply set it delegates to the
 * real scheduler.
 */
final class ScriptedScheduler implements Scheduler {
    static volatile String reply;

    private final Scheduler real;
    private final Tokenizer tokenizer;

    ScriptedScheduler(Scheduler real, Tokenizer tokenizer) {
        this.real = real;
        this.tokenizer = tokenizer;
    }

    @Override
    public GenerationHandle submit(GenerationRequest request, TokenListener listener) {
        String script = reply;
        if (script == null) {
            return real.submit(request, listener);
        }
        CompletableFuture<GenerationResult> future = new CompletableFuture<>();
        AtomicBoolean cancelled = new AtomicBoolean();
        Thread.ofVirtual().start(() -> {
            try {
                int[] ids = tokenizer.encode(script, false, false);
                StreamDecoder decoder = tokenizer.newStreamDecoder();
                List<GeneratedToken> tokens = new ArrayList<>();
                StringBuilder text = new StringBuilder();
                FinishReason reason = FinishReason.STOP;
                for (int i = 0; i < ids.length; i++) {
                    if (cancelled.get()) {
                        reason = FinishReason.CANCELLED;
                        break;
                    }
                    String piece = decoder.push(ids[i]);
                    if (i == ids.length - 1) {
                        piece += decoder.flush();
                    }
                    GeneratedToken t = new GeneratedToken(i, ids[i], piece, Float.NaN, List.of());
                    tokens.add(t);
                    text.append(piece);
                    listener.onToken(t);
                }
                GenerationResult r = new GenerationResult(tokens.stream().mapToInt(GeneratedToken::id).toArray(),
                        text.toString(), reason, new Usage(request.promptLength(), tokens.size()), tokens, Double.NaN);
                listener.onComplete(r);
                future.complete(r);
            } catch (Gpt4VideoException e) {
                listener.onError(e);
                future.completeExceptionally(e);
            }
        });
        return new GenerationHandle(future, () -> cancelled.set(true));
    }

    @Override
    public SchedulerStats stats() {
        return real.stats();
    }

    @Override
    public void close() {
        real.close();
    }
}
