package dev.gpt4video.core.safety;

/** What the policy does with a score over its threshold. */
public enum SafetyAction {
    ALLOW, FLAG, BLOCK;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
