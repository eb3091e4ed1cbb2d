package dev.gpt4video.safety;

import dev.gpt4video.core.safety.SafetyStage;
import dev.gpt4video.safety.nsfwjs.NsfwjsFrameClassifier;
import dev.gpt4video.safety.policy.AuditLog;
import dev.gpt4video.safety.policy.DefaultSafetyGate;
import dev.gpt4video.safety.policy.SafetyPolicy;
import dev.gpt4video.safety.text.MiniLmSentenceEncoder;
import dev.gpt4video.safety.text.SemanticTextClassifier;
import dev.gpt4video.safety.text.TextPrototypes;
import dev.gpt4video.safety.video.VideoSafetyClassifier;

import java.nio.file.Path;
import java.util.EnumSet;

/**
 * Ready-made gates. {@link #standard} is what the server uses: the semantic text classifier on the
 * text stages and nsfwjs on the video stages, each loaded so that a missing model leaves the gate
 * running but failing those stages closed.
 *
 * <pre>{@code
 * DefaultSafetyGate gate = SafetyGates.standard(SafetyPolicy.defaults(), Path.of("models/nsfwjs"),
 *         AuditLog.toFile(Path.of("logs/safety-audit.jsonl")));
 * }</pre>
 */
public final class SafetyGates {
    private SafetyGates() {
    }

    /**
     * @param nsfwjsDir converted nsfwjs model directory; null leaves the video stages without a
     *                  classifier, so they fail closed
     * @param audit     where decisions go; null discards them
     */
    public static DefaultSafetyGate standard(SafetyPolicy policy, Path nsfwjsDir, AuditLog audit) {
        DefaultSafetyGate.Builder b = DefaultSafetyGate.builder().policy(policy)
                .auditLog(audit == null ? AuditLog.discard() : audit)
                .classifier("semantic-text", EnumSet.of(SafetyStage.INPUT_TEXT, SafetyStage.OUTPUT_PROMPT),
                        () -> SemanticTextClassifier.create(MiniLmSentenceEncoder.load(), TextPrototypes.bundled()));
        if (nsfwjsDir != null) {
            b.classifier("nsfwjs-mobilenet-v2", EnumSet.of(SafetyStage.INPUT_VIDEO, SafetyStage.OUTPUT_VIDEO),
                    () -> new VideoSafetyClassifier(NsfwjsFrameClassifier.load(nsfwjsDir), policy.frameAggregation()));
        }
        return b.build();
    }
}
