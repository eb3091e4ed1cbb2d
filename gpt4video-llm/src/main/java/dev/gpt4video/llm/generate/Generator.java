package dev.gpt4video.llm.generate;

import dev.gpt4video.core.Cancellation;
import dev.gpt4video.llm.llama.LlamaModel;
import dev.gpt4video.llm.tokenizer.Tokenizer;

import java.util.List;

/**
 * Runs one request at a time on the calling thread: prefill, then step, sample, emit until a stop.
 * For many concurrent requests use {@link BatchScheduler}, which batches their steps.
 *
 * <pre>{@code
 * Generator generator = new Generator(model, tokenizer);
 * GenerationResult r = generator.generate(GenerationRequest.builder(ids).temperature(0).maxTokens(64).build());
 * }</pre>
 */
public final class Generator {
    private final RunContext context;

    /** @param tokenizer null to generate ids only (no text, no stop strings) */
    public Generator(LlamaModel model, Tokenizer tokenizer) {
        this.context = RunContext.of(model, tokenizer);
    }

    public GenerationResult generate(GenerationRequest request) {
        return generate(request, TokenListener.NONE, new Cancellation());
    }

    /**
     * Generates, calling {@code listener} on this thread. Cancelling {@code cancellation} ends the
     * request at the next step with finish reason {@code cancelled} (its cache freed at once).
     *
     * @throws dev.gpt4video.core.Gpt4VideoException on an invalid request or a failure
     */
    public GenerationResult generate(GenerationRequest request, TokenListener listener, Cancellation cancellation) {
        context.validate(request);
        DecodingRun run = DecodingRun.create(context, request, listener);
        GenerationHandle handle = new GenerationHandle(run.future, cancellation::cancel);
        try {
            if (!cancellation.isCancelled()) {
                run.start();
            }
            while (!run.finished() && !cancellation.isCancelled()) {
                List<dev.gpt4video.llm.llama.KvCache> caches = run.caches();
                float[][] logits = context.model().decode(caches, run.inputs());
                run.accept(logits, 0);
            }
            if (run.finished()) {
                run.complete();
            } else {
                run.cancel();
            }
        } catch (RuntimeException e) {
            run.fail(e);
        }
        return handle.await();
    }
}
