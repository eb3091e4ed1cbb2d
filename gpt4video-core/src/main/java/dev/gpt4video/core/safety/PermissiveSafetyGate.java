package dev.gpt4video.core.safety;

/** Allows everything. Named {@code permissive} so no client mistakes it for a real check. */
public final class PermissiveSafetyGate implements SafetyGate {
    @Override
    public String name() {
        return "permissive";
    }

    @Override
    public SafetyDecision check(SafetyInput input) {
        return SafetyDecision.allow(input.stage());
    }
}
