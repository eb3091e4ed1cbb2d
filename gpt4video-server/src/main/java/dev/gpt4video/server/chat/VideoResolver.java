package dev.gpt4video.server.chat;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.server.api.ApiProperties;
import dev.gpt4video.server.files.FileStore;
import org.springframework.stereotype.Component;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Turns a {@code video_url} into a local file: an uploaded file's id ({@code file-…}), a
 * {@code data:} URL (stored like an upload, with purpose {@code chat}), or a server path inside
 * one of the configured {@code gpt4video.api.video-dirs}. Anything else is refused: the server
 * fetches nothing from the network.
 */
@Component
public class VideoResolver {
    private final FileStore files;
    private final ApiProperties api;

    public VideoResolver(FileStore files, ApiProperties api) {
        this.files = files;
        this.api = api;
    }

    public Path resolve(String url) {
        if (url == null || url.isBlank()) {
            throw invalid("video_url.url is empty");
        }
        if (url.startsWith("file-")) {
            return files.content(url);
        }
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            if (comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
                throw invalid("video_url: a data: URL must be base64 (data:video/mp4;base64,...)");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(url.substring(comma + 1).strip());
            } catch (IllegalArgumentException e) {
                throw invalid("video_url: the data: URL is not valid base64");
            }
            FileStore.Staged staged = files.stage(new ByteArrayInputStream(bytes));
            return files.content(files.commit(staged, "inline-video", "chat", java.util.Map.of(), java.util.Map.of()).id());
        }
        if (url.startsWith("http://") || url.startsWith("https://")) {
            throw invalid("video_url: remote URLs are not fetched; upload the video to /v1/files and pass its id");
        }
        String raw = url.startsWith("file://") ? url.substring("file://".length()) : url;
        if (api.videoDirs().isEmpty()) {
            throw invalid("video_url: server paths are disabled (configure gpt4video.api.video-dirs)");
        }
        try {
            Path real = Path.of(raw).toRealPath();
            for (Path dir : api.videoDirs()) {
                if (Files.isDirectory(dir) && real.startsWith(dir.toRealPath())) {
                    return real;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new Gpt4VideoException(ErrorCode.NOT_FOUND, "video_url: no such file '" + raw + "'");
        }
        throw invalid("video_url: '" + raw + "' is outside the allowed video folders");
    }

    private static Gpt4VideoException invalid(String message) {
        return new Gpt4VideoException(ErrorCode.INVALID_REQUEST, message);
    }
}
