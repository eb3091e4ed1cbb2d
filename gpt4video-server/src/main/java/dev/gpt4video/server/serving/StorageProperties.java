package dev.gpt4video.server.serving;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where uploads and generated videos live ({@code gpt4video.storage.*}).
 *
 * @param dir           root folder: {@code files/} for uploads, {@code videos/} for generated videos
 * @param maxUploadSize largest accepted upload
 * @param videoTtl      how long a finished video is kept
 * @param videoQuota    total size of kept videos; oldest completed ones are evicted first
 */
@ConfigurationProperties("gpt4video.storage")
public record StorageProperties(@DefaultValue("data") Path dir,
                                @DefaultValue("256MB") DataSize maxUploadSize,
                                @DefaultValue("24h") Duration videoTtl,
                                @DefaultValue("2GB") DataSize videoQuota) {
}
