package dev.gpt4video.llm.lora;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.checkpoint.Checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PEFT LoRA adapter ({@code adapter_config.json} + {@code adapter_model.safetensors}) read into
 * heap arrays, keyed by the base model's module names. Tensor names are mapped to base names the
 * way the GPT4Video reference does: drop a leading {@code model.} before {@code base_model.model.}
 * (the training delta file), {@code base_model.model.}, the {@code .default} adapter name, and the
 * mPLUG-Owl {@code language_model.} prefix. So
 * {@code base_model.model.language_model.model.layers.3.self_attn.q_proj.lora_A.weight} is the
 * {@code A} of module {@code model.layers.3.self_attn.q_proj}.
 *
 * <pre>{@code
 * LoraAdapter adapter = LoraAdapter.load(adapterDir);
 * LlamaModel tuned = base.withAdapter(adapter, "gpt4video");
 * }</pre>
 */
public final class LoraAdapter {
    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    private static final String PEFT_PREFIX = "base_model.model.";
    private static final String LANGUAGE_MODEL_PREFIX = "language_model.";
    private static final Pattern LORA_KEY = Pattern.compile("(.+)\\.lora_([AB])(\\.[A-Za-z0-9_]+)?\\.weight");

    /**
     * One adapted module: {@code A} is {@code [r, in]} and {@code B} is {@code [out, r]}, row-major,
     * as PEFT stores them. {@code tensorA}/{@code tensorB} are the names in the adapter file.
     */
    public record Module(String name, String tensorA, String tensorB, long[] shapeA, long[] shapeB, float[] a, float[] b) {
        public int rank() {
            return (int) shapeA[0];
        }
    }

    private final Path source;
    private final LoraConfig config;
    private final Map<String, Module> modules;

    private LoraAdapter(Path source, LoraConfig config, Map<String, Module> modules) {
        this.source = source;
        this.config = config;
        this.modules = Collections.unmodifiableMap(modules);
    }

    /** Reads an adapter directory. */
    public static LoraAdapter load(Path dir) {
        LoraConfig config = LoraConfig.read(dir.resolve(CONFIG_FILE));
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new Gpt4VideoException(ErrorCode.CHECKPOINT_INVALID, dir + ": no " + WEIGHTS_FILE
                    + " (convert adapter_model.bin or a .pth delta file to safetensors first)");
        }
        try (Checkpoint tensors = Checkpoint.open(weights)) {
            return of(config, tensors);
        }
    }

    /** Reads adapter tensors from an open checkpoint. */
    public static LoraAdapter of(LoraConfig config, Checkpoint tensors) {
        Map<String, String[]> pairs = new LinkedHashMap<>();
        for (String tensor : tensors.names()) {
            String key = tensor;
            if (key.startsWith("model." + PEFT_PREFIX)) {
                key = key.substring("model.".length());
            }
            if (key.startsWith(PEFT_PREFIX)) {
                key = key.substring(PEFT_PREFIX.length());
            }
            Matcher m = LORA_KEY.matcher(key);
            if (!m.matches() || (m.group(3) != null && !m.group(3).equals(".default"))) {
                throw mismatch(tensors.source(), tensor, "is not a LoRA A/B weight of the default adapter");
            }
            String wrapped = m.group(1);
            if (!config.targets(wrapped)) {
                throw mismatch(tensors.source(), tensor, "module '" + wrapped + "' is not matched by target_modules");
            }
            String module = wrapped.startsWith(LANGUAGE_MODEL_PREFIX) ? wrapped.substring(LANGUAGE_MODEL_PREFIX.length()) : wrapped;
            String[] pair = pairs.computeIfAbsent(module, k -> new String[2]);
            int slot = m.group(2).equals("A") ? 0 : 1;
            if (pair[slot] != null) {
                throw mismatch(tensors.source(), tensor, "duplicates '" + pair[slot] + "'");
            }
            pair[slot] = tensor;
        }
        if (pairs.isEmpty()) {
            throw mismatch(tensors.source(), null, "holds no LoRA tensors");
        }
        Map<String, Module> modules = new LinkedHashMap<>();
        for (var e : pairs.entrySet()) {
            String[] pair = e.getValue();
            if (pair[0] == null || pair[1] == null) {
                String present = pair[0] != null ? pair[0] : pair[1];
                String missing = pair[0] != null ? present.replace("lora_A", "lora_B") : present.replace("lora_B", "lora_A");
                throw mismatch(tensors.source(), missing, "is missing (its pair '" + present + "' is present)");
            }
            long[] shapeA = tensors.info(pair[0]).shape();
            long[] shapeB = tensors.info(pair[1]).shape();
            if (shapeA.length != 2 || shapeA[0] != config.r()) {
                throw mismatch(tensors.source(), pair[0], "has shape " + Arrays.toString(shapeA) + " but r = " + config.r()
                        + " needs [" + config.r() + ", in]");
            }
            if (shapeB.length != 2 || shapeB[1] != config.r()) {
                throw mismatch(tensors.source(), pair[1], "has shape " + Arrays.toString(shapeB) + " but r = " + config.r()
                        + " needs [out, " + config.r() + "]");
            }
            modules.put(e.getKey(), new Module(e.getKey(), pair[0], pair[1], shapeA, shapeB,
                    tensors.floats(pair[0]), tensors.floats(pair[1])));
        }
        return new LoraAdapter(tensors.source(), config, modules);
    }

    public LoraConfig config() {
        return config;
    }

    /** Adapted modules by base module name, in file order. */
    public Map<String, Module> modules() {
        return modules;
    }

    /** The adapter file (for messages). */
    public Path source() {
        return source;
    }

    /**
     * Fails when the adapter names a base model and {@code baseName} is known and different.
     * Names are compared whole, then by their last path segment, so a local copy of
     * {@code huggyllama/llama-7b} in {@code /models/llama-7b} still matches.
     */
    public void checkBaseModel(String baseName) {
        String expected = config.baseModelNameOrPath();
        if (expected == null || baseName == null || baseName.isBlank()) {
            return;
        }
        String a = trimSlashes(expected);
        String b = trimSlashes(baseName);
        if (a.equals(b) || lastSegment(a).equals(lastSegment(b))) {
            return;
        }
        throw mismatch(source, null, "was trained on base model '" + expected + "' but this model is '" + baseName + "'");
    }

    private static String trimSlashes(String s) {
        String t = s.trim();
        while (t.endsWith("/") && t.length() > 1) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }

    private static String lastSegment(String s) {
        return s.substring(s.lastIndexOf('/') + 1);
    }

    static Gpt4VideoException mismatch(Path source, String tensor, String message) {
        StringBuilder sb = new StringBuilder("LoRA adapter ");
        if (source != null) {
            sb.append(source).append(": ");
        }
        if (tensor != null) {
            sb.append("tensor '").append(tensor).append("' ");
        }
        return new Gpt4VideoException(ErrorCode.ADAPTER_MISMATCH, sb.append(message).toString());
    }
}
