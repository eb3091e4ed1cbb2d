package dev.gpt4video.llm.generate;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.llama.LlamaModel;
import dev.gpt4video.llm.llama.Segment;
import dev.gpt4video.llm.tokenizer.Tokenizer;

import java.util.LinkedHashSet;
import java.util.Set;

/** What every run of one model shares: the model, its tokenizer (may be null) and its EOS ids. */
record RunContext(LlamaModel model, Tokenizer tokenizer, Set<Integer> eosIds) {

    static RunContext of(LlamaModel model, Tokenizer tokenizer) {
        Set<Integer> eos = new LinkedHashSet<>(model.config().eosTokenIds());
        if (tokenizer != null && tokenizer.eosId() >= 0) {
            eos.add(tokenizer.eosId());
        }
        return new RunContext(model, tokenizer, Set.copyOf(eos));
    }

    /** Positions one sequence of this request needs: prompt plus every generated token. */
    int capacity(GenerationRequest request) {
        return request.promptLength() + request.maxTokens();
    }

    /** Checks what can be checked before queueing, so a bad request fails at submit time. */
    void validate(GenerationRequest request) {
        int max = model.config().maxPositionEmbeddings();
        int prompt = request.promptLength();
        if (prompt + request.maxTokens() > max) {
            throw new Gpt4VideoException(ErrorCode.CONTEXT_LENGTH_EXCEEDED, "this model's maximum context length is "
                    + max + " tokens, but the prompt has " + prompt + " and max_tokens asks for " + request.maxTokens()
                    + " more");
        }
        if (!request.stopStrings().isEmpty() && tokenizer == null) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "stop: stop strings need a tokenizer");
        }
        int vocab = model.config().vocabSize();
        for (Segment s : request.segments()) {
            if (s instanceof Segment.Tokens t) {
                for (int id : t.ids()) {
                    if (id < 0 || id >= vocab) {
                        throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                                "token id " + id + " is outside the vocabulary (0.." + (vocab - 1) + ")");
                    }
                }
            } else if (s instanceof Segment.Embeddings e && e.width() != model.config().hiddenSize()) {
                throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "embedding rows are " + e.width()
                        + " wide but the model's hidden size is " + model.config().hiddenSize());
            }
        }
    }

    boolean endsSequence(int id, GenerationRequest request) {
        return (!request.ignoreEos() && eosIds.contains(id)) || request.stopTokenIds().contains(id);
    }
}
