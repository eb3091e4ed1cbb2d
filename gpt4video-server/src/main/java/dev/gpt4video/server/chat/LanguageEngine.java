package dev.gpt4video.server.chat;

import dev.gpt4video.core.chat.PromptAssembler;
import dev.gpt4video.core.chat.PromptTemplate;
import dev.gpt4video.core.chat.TextEncoder;
import dev.gpt4video.llm.generate.Scheduler;
import dev.gpt4video.llm.llama.LlamaModel;
import dev.gpt4video.llm.tokenizer.Tokenizer;

/**
 * The loaded language model with its tokenizer, continuous-batching scheduler and prompt
 * template. The {@link dev.gpt4video.server.serving.ServingModel} that holds it owns (and closes)
 * the scheduler and the weights.
 */
public final class LanguageEngine {
    private final LlamaModel model;
    private final Tokenizer tokenizer;
    private final Scheduler scheduler;
    private final PromptTemplate template;

    public LanguageEngine(LlamaModel model, Tokenizer tokenizer, Scheduler scheduler, PromptTemplate template) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.scheduler = scheduler;
        this.template = template;
    }

    public LlamaModel model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public PromptTemplate template() {
        return template;
    }

    public int contextLength() {
        return model.config().maxPositionEmbeddings();
    }

    public int hiddenSize() {
        return model.config().hiddenSize();
    }

    /** A prompt assembler for this model's tokenizer and a video cost of {@code tokensPerVideo} rows. */
    public PromptAssembler assembler(int tokensPerVideo) {
        TextEncoder encoder = new TextEncoder() {
            @Override
            public int[] encode(String text) {
                return tokenizer.encode(text, false, false);
            }

            @Override
            public int bosId() {
                return tokenizer.bosId();
            }
        };
        return new PromptAssembler(template, encoder, tokensPerVideo);
    }
}
