package dev.gpt4video.core.safety;

/** Decides whether one stage of a conversation may proceed (classifiers + policy behind it). */
public interface SafetyGate {
    /** Registry name, e.g. {@code permissive} or {@code default}. */
    String name();

    SafetyDecision check(SafetyInput input);
}
