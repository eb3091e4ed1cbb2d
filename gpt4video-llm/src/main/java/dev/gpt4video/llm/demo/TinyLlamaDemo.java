package dev.gpt4video.llm.demo;

import dev.gpt4video.core.bundle.ComponentRoles;
import dev.gpt4video.core.bundle.ComponentWriter;
import dev.gpt4video.core.bundle.DemoComponent;
import dev.gpt4video.llm.llama.LlamaConfig;
import dev.gpt4video.llm.llama.LlamaWeights;
import dev.gpt4video.llm.tokenizer.DemoVocabulary;
import dev.gpt4video.llm.tokenizer.SentencePieceWriter;

import java.io.IOException;
import java.util.List;

/**
 * The demo bundle's {@code llm} component: a tiny random LLaMA in Hugging Face layout
 * ({@code config.json}, {@code model.safetensors}) with a matching SentencePiece
 * {@code tokenizer.model}. Hidden size 64 matches the demo abstractor's video tokens; grouped-query
 * attention and an untied head exercise the same paths as the real model.
 */
public final class TinyLlamaDemo implements DemoComponent {
    public static final String TYPE = "llama";

    /** 1024 pieces, hidden 64, 2 layers, 4 query heads over 2 key/value heads of 16, 2048 positions. */
    public static final LlamaConfig CONFIG = new LlamaConfig(1024, 64, 172, 2, 4, 2, 16, 2048, 1e-6, 10000.0, null,
            false, 1, List.of(2), null);

    @Override
    public String role() {
        return ComponentRoles.LLM;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void write(ComponentWriter out) throws IOException {
        out.writeJson("config.json", CONFIG.toHuggingFace());
        LlamaWeights.random(CONFIG, out.random(), 0.1f).write(out.file("model.safetensors"));
        SentencePieceWriter.write(DemoVocabulary.build(CONFIG.vocabSize()), out.file("tokenizer.model"));
        out.option("dtype", "float32");
    }
}
