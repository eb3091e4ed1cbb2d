package dev.gpt4video.server.files;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Uploaded videos on disk: {@code <dir>/<id>/content} plus {@code meta.json}. Ids look like
 * OpenAI's ({@code file-} and 24 hex digits) and are validated before any path is built from them.
 */
public final class FileStore {
    private static final Pattern ID = Pattern.compile("file-[0-9a-f]{24}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final long maxBytes;
    private final ObjectMapper json = new ObjectMapper();

    public FileStore(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.INTERNAL, "cannot create file store " + dir + ": " + e.getMessage(), e);
        }
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** A staged upload: its bytes are on disk but it has no id until {@link #commit}. */
    public record Staged(Path content, long bytes, String sha256) {
    }

    /** Copies an upload to a temporary file, failing with 413 as soon as it exceeds the limit. */
    public Staged stage(InputStream in) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "upload-", ".part");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > maxBytes) {
                        throw new Gpt4VideoException(ErrorCode.PAYLOAD_TOO_LARGE,
                                "file: larger than the limit of " + maxBytes + " bytes");
                    }
                    out.write(buf, 0, n);
                }
            }
            if (total == 0) {
                throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "file: is empty");
            }
            return new Staged(tmp, total, HexFormat.of().formatHex(sha.digest()));
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            discard(tmp);
            if (e instanceof Gpt4VideoException g) {
                throw g;
            }
            throw new Gpt4VideoException(ErrorCode.INTERNAL, "cannot store upload: " + e.getMessage(), e);
        }
    }

    public void discard(Staged staged) {
        discard(staged.content());
    }

    private static void discard(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // A temp file left behind is swept with the directory.
            }
        }
    }

    /** Gives a staged upload its id and metadata. */
    public StoredFile commit(Staged staged, String filename, String purpose, java.util.Map<String, Object> video,
                             java.util.Map<String, Object> safety) {
        String id = "file-" + HexFormat.of().formatHex(randomBytes());
        StoredFile f = new StoredFile(id, filename, purpose, staged.bytes(), System.currentTimeMillis() / 1000,
                staged.sha256(), video, safety);
        try {
            Path d = dir.resolve(id);
            Files.createDirectories(d);
            Files.move(staged.content(), d.resolve("content"), StandardCopyOption.ATOMIC_MOVE);
            json.writeValue(d.resolve("meta.json").toFile(), f);
            return f;
        } catch (IOException e) {
            discard(staged);
            throw new Gpt4VideoException(ErrorCode.INTERNAL, "cannot store upload: " + e.getMessage(), e);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return b;
    }

    public Optional<StoredFile> find(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Path meta = dir.resolve(id).resolve("meta.json");
        if (!Files.isRegularFile(meta)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(meta.toFile(), StoredFile.class));
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.INTERNAL, "file " + id + ": unreadable metadata", e);
        }
    }

    public StoredFile require(String id) {
        return find(id).orElseThrow(() -> new Gpt4VideoException(ErrorCode.NOT_FOUND, "No such file: '" + id + "'"));
    }

    public Path content(String id) {
        require(id);
        return dir.resolve(id).resolve("content");
    }

    public List<StoredFile> list() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> ID.matcher(n).matches())
                    .map(this::find).flatMap(Optional::stream)
                    .sorted((a, b) -> Long.compare(b.createdAt(), a.createdAt())).toList();
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.INTERNAL, "cannot list files: " + e.getMessage(), e);
        }
    }

    public boolean delete(String id) {
        if (find(id).isEmpty()) {
            return false;
        }
        Path d = dir.resolve(id);
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
            return true;
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.INTERNAL, "cannot delete " + id + ": " + e.getMessage(), e);
        }
    }
}
