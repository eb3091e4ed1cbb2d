package dev.gpt4video.t2v.jobs;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.gpt4video.core.t2v.T2vRequest;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code job.json} state file: field names spelled out here once, timestamps as ISO-8601,
 * artifact paths left out (they follow from the job's directory).
 */
final class JobJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JobJson() {
    }

    static byte[] write(VideoJob job) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", job.id());
        out.put("backend", job.backend());
        out.put("state", job.state().wireName());
        out.put("progress", job.progress());
        out.put("createdAt", text(job.createdAt()));
        out.put("startedAt", text(job.startedAt()));
        out.put("finishedAt", text(job.finishedAt()));
        T2vRequest r = job.request();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("caption", r.caption());
        request.put("negativePrompt", r.negativePrompt());
        request.put("width", r.width());
        request.put("height", r.height());
        request.put("frames", r.frames());
        request.put("steps", r.steps());
        request.put("guidanceScale", r.guidanceScale());
        request.put("seed", r.seed());
        request.put("fps", r.fps());
        out.put("request", request);
        if (job.error() != null) {
            out.put("error", Map.of("code", job.error().code(), "message", job.error().message()));
        }
        out.put("metadata", job.metadata());
        VideoArtifact a = job.artifact();
        if (a != null) {
            Map<String, Object> artifact = new LinkedHashMap<>();
            artifact.put("width", a.width());
            artifact.put("height", a.height());
            artifact.put("frames", a.frames());
            artifact.put("fps", a.fps());
            artifact.put("videoBytes", a.videoBytes());
            out.put("artifact", artifact);
        }
        return MAPPER.writeValueAsBytes(out);
    }

    static VideoJob read(byte[] json, Path video, Path poster) throws IOException {
        JsonNode n = MAPPER.readTree(json);
        JsonNode r = required(n, "request");
        T2vRequest request = new T2vRequest(required(r, "caption").asText(), textOrNull(r, "negativePrompt"),
                intOrNull(r, "width"), intOrNull(r, "height"), intOrNull(r, "frames"), intOrNull(r, "steps"),
                r.hasNonNull("guidanceScale") ? r.get("guidanceScale").asDouble() : null,
                r.hasNonNull("seed") ? r.get("seed").asLong() : null, intOrNull(r, "fps"));
        JobError error = n.hasNonNull("error")
                ? new JobError(required(n.get("error"), "code").asText(), textOrNull(n.get("error"), "message"))
                : null;
        Map<String, Object> metadata = n.hasNonNull("metadata")
                ? MAPPER.convertValue(n.get("metadata"), new TypeReference<Map<String, Object>>() { })
                : Map.of();
        VideoArtifact artifact = null;
        if (n.hasNonNull("artifact")) {
            JsonNode a = n.get("artifact");
            artifact = new VideoArtifact(video, poster, required(a, "videoBytes").asLong(), required(a, "width").asInt(),
                    required(a, "height").asInt(), required(a, "frames").asInt(), required(a, "fps").asDouble());
        }
        return new VideoJob(required(n, "id").asText(), required(n, "backend").asText(), request,
                JobState.fromWireName(required(n, "state").asText()), n.path("progress").asInt(0), 0,
                instant(n, "createdAt"), instant(n, "startedAt"), instant(n, "finishedAt"), error, metadata, artifact);
    }

    private static JsonNode required(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IOException("job.json: '" + field + "' is missing");
        }
        return v;
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    private static Instant instant(JsonNode n, String field) {
        return n.hasNonNull(field) ? Instant.parse(n.get(field).asText()) : null;
    }

    private static String textOrNull(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Integer intOrNull(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asInt() : null;
    }
}
