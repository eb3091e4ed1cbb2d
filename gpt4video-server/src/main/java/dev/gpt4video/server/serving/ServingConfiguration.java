package dev.gpt4video.server.serving;

import dev.gpt4video.abstractor.decode.VideoDecoder;
import dev.gpt4video.server.files.FileStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans that are plain Java objects from the library modules. */
@Configuration
public class ServingConfiguration {
    @Bean
    public FileStore fileStore(StorageProperties storage) {
        return new FileStore(storage.dir().resolve("files"), storage.maxUploadSize().toBytes());
    }

    /** FFmpeg decoding with the default limits (size, duration, frame size, decode deadline). */
    @Bean
    public VideoDecoder videoDecoder() {
        return new VideoDecoder();
    }
}
