package dev.gpt4video.server.serving;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;

/**
 * Safety gate settings ({@code gpt4video.safety.*}); a manifest's {@code safety} component
 * overrides {@code nsfwjsDir} (its path) and {@code policy} (option {@code policy}).
 *
 * @param gate      {@code standard} (semantic text classifier + nsfwjs frames, failing closed when a
 *                  classifier is unavailable) or {@code permissive} (allows everything; for tests)
 * @param nsfwjsDir the converted nsfwjs model ({@code scripts/models/fetch-nsfwjs.sh} writes it)
 * @param policy    a policy JSON file (see docs/safety.md); empty for the built-in defaults
 * @param auditLog  JSON-lines audit file; empty for {@code <storage>/safety-audit.jsonl}
 * @param frameClassifier {@code nsfwjs}, or {@code none} to run without one (the video stages then
 *                  fail closed, as when the model is missing)
 */
@ConfigurationProperties("gpt4video.safety")
public record SafetyProperties(@DefaultValue("standard") String gate, @DefaultValue("models/nsfwjs") Path nsfwjsDir,
                               Path policy, Path auditLog, @DefaultValue("nsfwjs") String frameClassifier) {
}
