package dev.gpt4video.server.files;

import java.util.Map;

/**
 * An uploaded file's record, in the OpenAI File object's shape plus extension fields.
 *
 * @param video  what probing the video found (container, codec, duration, size…)
 * @param safety the input-safety verdict for its frames
 */
public record StoredFile(String id, String filename, String purpose, long bytes, long createdAt, String sha256,
                         Map<String, Object> video, Map<String, Object> safety) {
}
