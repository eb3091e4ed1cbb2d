package dev.gpt4video.server.serving;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Compute settings ({@code gpt4video.runtime.*}) and the language model's batching knobs
 * ({@code gpt4video.llm.*} are in {@link LlmProperties}).
 *
 * @param device {@code auto} (GPU when present), {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param dtype  {@code auto} (float16 on GPU, float32 on CPU), {@code float32} or {@code float16}
 */
@ConfigurationProperties("gpt4video.runtime")
public record RuntimeProperties(@DefaultValue("auto") String device, @DefaultValue("auto") String dtype) {
}
