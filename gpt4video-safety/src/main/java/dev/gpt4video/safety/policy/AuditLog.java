package dev.gpt4video.safety.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpt4video.core.safety.SafetyDecision;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyScores;
import dev.gpt4video.core.video.Frames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Appends one JSON object per safety decision (JSON Lines): time, gate, stage, action, categories,
 * scores per classifier, classifier failures, and the SHA-256 of the input (text as UTF-8; frames as
 * width, height and every frame's RGB bytes). Never the input itself, so the log can be kept
 * and shared without holding the harmful content it records.
 *
 * <pre>{@code
 * {"ts":"2026-11-22T03:10:00Z","event":"decision","gate":"default","stage":"input_text","action":"block",
 *  "categories":["illicit/weapons"],"scores":{"illicit/weapons":0.93},"input":{"kind":"text","chars":41,
 *  "sha256":"9f2c..."},"classifiers":{"semantic-text":{"illicit/weapons":0.93,...}},"failures":[]}
 * }</pre>
 */
public final class AuditLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Writer out;
    private final Clock clock;

    public AuditLog(Writer out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** Appends to {@code file}, creating it and its directory. */
    public static AuditLog toFile(Path file) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            return new AuditLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND), Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open safety audit log " + file, e);
        }
    }

    /** A log that writes nothing (tests, benchmarks). */
    public static AuditLog discard() {
        return new AuditLog(Writer.nullWriter(), Clock.systemUTC());
    }

    /** Records a gate decision; {@code failures} maps classifier name to its error. */
    public void decision(String gate, SafetyInput input, SafetyDecision decision, Map<String, String> failures) {
        ObjectNode line = start("decision", gate);
        line.put("stage", decision.stage().id());
        line.put("action", decision.action().id());
        ArrayNode cats = line.putArray("categories");
        decision.categories().forEach(cats::add);
        ObjectNode scores = line.putObject("scores");
        new TreeMap<>(decision.scores()).forEach(scores::put);
        line.set("input", describe(input));
        ObjectNode per = line.putObject("classifiers");
        for (SafetyScores s : decision.details()) {
            ObjectNode c = per.putObject(s.classifier());
            new TreeMap<>(s.categoryScores()).forEach(c::put);
        }
        ArrayNode fails = line.putArray("failures");
        new TreeMap<>(failures).forEach((k, v) -> fails.addObject().put("classifier", k).put("error", v));
        write(line);
    }

    /** Records that the language model refused on its own (only the hash of its reply). */
    public void modelRefusal(String gate, String reply) {
        ObjectNode line = start("model_refusal", gate);
        ObjectNode in = line.putObject("input");
        in.put("kind", "text");
        in.put("chars", reply.length());
        in.put("sha256", sha256(reply.getBytes(StandardCharsets.UTF_8)));
        write(line);
    }

    private ObjectNode start(String event, String gate) {
        ObjectNode line = JSON.createObjectNode();
        line.put("ts", clock.instant().toString());
        line.put("event", event);
        line.put("gate", gate);
        return line;
    }

    private static ObjectNode describe(SafetyInput input) {
        ObjectNode in = JSON.createObjectNode();
        if (input.text() != null) {
            in.put("kind", "text");
            in.put("chars", input.text().length());
            in.put("sha256", sha256(input.text().getBytes(StandardCharsets.UTF_8)));
        } else if (input.frames() != null) {
            in.put("kind", "frames");
            in.put("frames", input.frames().count());
            in.put("width", input.frames().width());
            in.put("height", input.frames().height());
            in.put("sha256", framesSha256(input.frames()));
        } else {
            in.put("kind", "empty");
        }
        return in;
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    public static String framesSha256(Frames frames) {
        MessageDigest d = digest();
        d.update(java.nio.ByteBuffer.allocate(8).putInt(frames.width()).putInt(frames.height()).array());
        List<byte[]> rgb = frames.rgb();
        rgb.forEach(d::update);
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized void write(ObjectNode line) {
        try {
            out.write(JSON.writeValueAsString(line));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write safety audit log", e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
