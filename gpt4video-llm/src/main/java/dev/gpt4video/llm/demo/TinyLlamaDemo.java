package dev.gpt4video.llm.demo;

import dev.gpt4video.core.bundle.ComponentRoles;
import dev.gpt4video.core.bundle.ComponentWriter;
import dev.gpt4video.core.bundle.DemoComponent;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.llm.llama.LlamaConfig;
import dev.gpt4video.llm.tokenizer.DemoVocabulary;
import dev.gpt4video.llm.tokenizer.SentencePieceModel;
import dev.gpt4video.llm.tokenizer.SentencePieceWriter;

import java.io.IOException;
import java.util.List;
import java.util.Random;

/**
 * The demo bundle's {@code llm} component: a tiny random LLaMA in the Hugging Face layout
 * ({@code config.json}, {@code model.safetensors}) with a real SentencePiece {@code tokenizer.model}
 * written by {@link SentencePieceWriter}. 64 wide, to match the demo abstractor's embeddings.
 * Random weights: it produces fluent-looking nonsense at best.
 */
public final class TinyLlamaDemo implements DemoComponent {
    public static final String TYPE = "llama";
    public static final int HIDDEN = 64;
    public static final int VOCAB = 2048;

    static final LlamaConfig CONFIG = new LlamaConfig(VOCAB, HIDDEN, 172, 2, 4, 2, 16, 2048, 1e-5, 10000.0, null,
            false, 1, List.of(2), "gpt4video-demo-llm");

    @Override
    public String role() {
        return ComponentRoles.LLM;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** 2: config.json now carries {@code _name_or_path} ({@code LlamaConfig.toHuggingFace}). */
    @Override
    public String version() {
        return "2";
    }

    @Override
    public void write(ComponentWriter out) throws IOException {
        Random rnd = out.random();
        out.writeJson("config.json", CONFIG.toHuggingFace());
        SafetensorsWriter w = new SafetensorsWriter();
        long h = CONFIG.hiddenSize();
        long q = (long) CONFIG.numAttentionHeads() * CONFIG.headDim();
        long kv = (long) CONFIG.numKeyValueHeads() * CONFIG.headDim();
        long m = CONFIG.intermediateSize();
        w.putFloats("model.embed_tokens.weight", new long[] {VOCAB, h}, gaussian(rnd, VOCAB * h, 1.0));
        w.putFloats("lm_head.weight", new long[] {VOCAB, h}, gaussian(rnd, VOCAB * h, 0.5));
        w.putFloats("model.norm.weight", new long[] {h}, ones(h));
        for (int i = 0; i < CONFIG.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            w.putFloats(p + "input_layernorm.weight", new long[] {h}, ones(h));
            w.putFloats(p + "post_attention_layernorm.weight", new long[] {h}, ones(h));
            w.putFloats(p + "self_attn.q_proj.weight", new long[] {q, h}, gaussian(rnd, q * h, 0.15));
            w.putFloats(p + "self_attn.k_proj.weight", new long[] {kv, h}, gaussian(rnd, kv * h, 0.15));
            w.putFloats(p + "self_attn.v_proj.weight", new long[] {kv, h}, gaussian(rnd, kv * h, 0.15));
            w.putFloats(p + "self_attn.o_proj.weight", new long[] {h, q}, gaussian(rnd, h * q, 0.1));
            w.putFloats(p + "mlp.gate_proj.weight", new long[] {m, h}, gaussian(rnd, m * h, 0.15));
            w.putFloats(p + "mlp.up_proj.weight", new long[] {m, h}, gaussian(rnd, m * h, 0.15));
            w.putFloats(p + "mlp.down_proj.weight", new long[] {h, m}, gaussian(rnd, h * m, 0.1));
        }
        w.metadata("gpt4video_demo", "random weights — for plumbing only");
        w.write(out.file("model.safetensors"));
        SentencePieceModel vocabulary = DemoVocabulary.build(VOCAB);
        SentencePieceWriter.write(vocabulary, out.file("tokenizer.model"));
        out.option("template", "mplug-owl-video");
    }

    private static float[] gaussian(Random rnd, long n, double std) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        return v;
    }

    private static float[] ones(long n) {
        float[] v = new float[Math.toIntExact(n)];
        java.util.Arrays.fill(v, 1f);
        return v;
    }
}
