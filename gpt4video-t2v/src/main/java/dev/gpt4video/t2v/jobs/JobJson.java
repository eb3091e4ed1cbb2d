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
 * artifact paths left out (they follow from the job's directory). The request, artifact and
 * metadata parts are public for other stores of job state (the Redis job hashes).
 */
public final class JobJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();

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
        out.put("request", requestFields(job.request()));
        if (job.error() != null) {
            out.put("error", Map.of("code", job.error().code(), "message", job.error().message()));
        }
        out.put("metadata", job.metadata());
        if (job.artifact() != null) {
            out.put("artifact", artifactFields(job.artifact()));
        }
        return MAPPER.writeValueAsBytes(out);
    }

    /** A request as one line of JSON, with the field names of {@code job.json}. */
    public static String writeRequest(T2vRequest request) {
        return compact(requestFields(request));
    }

    public static T2vRequest readRequest(String json) throws IOException {
        return request(MAPPER.readTree(json));
    }

    /** What an artifact holds, as one line of JSON; its paths are left out (they follow from the job's directory). */
    public static String writeArtifact(VideoArtifact artifact) {
        return compact(artifactFields(artifact));
    }

    public static VideoArtifact readArtifact(String json, Path video, Path poster) throws IOException {
        return artifact(MAPPER.readTree(json), video, poster);
    }

    /** Backend metadata (string keys, JSON values) as one line of JSON. */
    public static String writeMetadata(Map<String, Object> metadata) {
        return compact(metadata);
    }

    public static Map<String, Object> readMetadata(String json) throws IOException {
        return MAPPER.convertValue(MAPPER.readTree(json), new TypeReference<Map<String, Object>>() { });
    }

    private static Map<String, Object> requestFields(T2vRequest r) {
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
        return request;
    }

    private static Map<String, Object> artifactFields(VideoArtifact a) {
        Map<String, Object> artifact = new LinkedHashMap<>();
        artifact.put("width", a.width());
        artifact.put("height", a.height());
        artifact.put("frames", a.frames());
        artifact.put("fps", a.fps());
        artifact.put("videoBytes", a.videoBytes());
        return artifact;
    }

    private static String compact(Object value) {
        try {
            return COMPACT.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + value + " as JSON", e);
        }
    }

    private static T2vRequest request(JsonNode r) throws IOException {
        return new T2vRequest(required(r, "caption").asText(), textOrNull(r, "negativePrompt"),
                intOrNull(r, "width"), intOrNull(r, "height"), intOrNull(r, "frames"), intOrNull(r, "steps"),
                r.hasNonNull("guidanceScale") ? r.get("guidanceScale").asDouble() : null,
                r.hasNonNull("seed") ? r.get("seed").asLong() : null, intOrNull(r, "fps"));
    }

    private static VideoArtifact artifact(JsonNode a, Path video, Path poster) throws IOException {
        return new VideoArtifact(video, poster, required(a, "videoBytes").asLong(), required(a, "width").asInt(),
                required(a, "height").asInt(), required(a, "frames").asInt(), required(a, "fps").asDouble());
    }

    static VideoJob read(byte[] json, Path video, Path poster) throws IOException {
        JsonNode n = MAPPER.readTree(json);
        T2vRequest request = request(required(n, "request"));
        JobError error = n.hasNonNull("error")
                ? new JobError(required(n.get("error"), "code").asText(), textOrNull(n.get("error"), "message"))
                : null;
        Map<String, Object> metadata = n.hasNonNull("metadata")
                ? MAPPER.convertValue(n.get("metadata"), new TypeReference<Map<String, Object>>() { })
                : Map.of();
        VideoArtifact artifact = n.hasNonNull("artifact") ? artifact(n.get("artifact"), video, poster) : null;
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
