package dev.gpt4video.core.bundle;

/**
 * The roles a GPT4Video bundle knows. Manifests may use other roles too (a loader that does not
 * know a role ignores it), so these are names to agree on, not an exhaustive list.
 */
public final class ComponentRoles {
    /** The language model (LLaMA). */
    public static final String LLM = "llm";
    /** The language model's tokenizer. */
    public static final String TOKENIZER = "tokenizer";
    /** The LoRA adapter applied to the language model. */
    public static final String LORA = "lora";
    /** The vision tower (CLIP ViT with temporal modules). */
    public static final String VISION = "vision";
    /** The visual abstractor that turns vision features into LLM tokens. */
    public static final String ABSTRACTOR = "abstractor";
    /** The text-to-video backend (e.g. ZeroScope v2). */
    public static final String T2V = "t2v";
    /** The content safety classifier. */
    public static final String SAFETY = "safety";

    private ComponentRoles() {
    }
}
