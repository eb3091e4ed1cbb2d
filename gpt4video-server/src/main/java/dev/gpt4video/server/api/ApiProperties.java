package dev.gpt4video.server.api;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;
import java.util.List;

/**
 * API settings ({@code gpt4video.api.*}).
 *
 * @param keys      accepted {@code Authorization: Bearer} keys; empty means no authentication
 * @param videoDirs server folders a {@code video_url} may name by path; empty means paths are refused
 */
@ConfigurationProperties("gpt4video.api")
public record ApiProperties(@DefaultValue List<String> keys, @DefaultValue List<Path> videoDirs) {
    public ApiProperties {
        keys = keys == null ? List.of() : keys.stream().map(String::strip).filter(k -> !k.isEmpty()).toList();
        videoDirs = videoDirs == null ? List.of() : List.copyOf(videoDirs);
    }
}
