package dev.gpt4video.server.serving;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Text-to-video job settings ({@code gpt4video.t2v.*}).
 *
 * @param workers       worker threads per model backend (one per GPU is the usual choice)
 * @param queueCapacity jobs that may wait per backend before {@code queue_full} (429)
 * @param maxSpans      video spans per reply handed to a backend; later ones are skipped
 * @param maxCaptionChars captions longer than this are skipped
 */
@ConfigurationProperties("gpt4video.t2v")
public record T2vProperties(@DefaultValue("1") int workers, @DefaultValue("16") int queueCapacity,
                            @DefaultValue("3") int maxSpans, @DefaultValue("500") int maxCaptionChars) {
}
