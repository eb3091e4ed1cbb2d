package dev.gpt4video.core.bundle;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Writes the demo bundle: every {@link DemoComponent} found on the class path, each in a folder
 * named after its role, then a {@value ModelManifest#FILE_NAME} marked {@code "demo": true} and a
 * {@code README.txt}. The same seed and components always write byte-identical files.
 *
 * <p>{@link #ensure} is idempotent: it leaves a bundle alone when the manifest's
 * {@link ModelManifest#generator() generator} fingerprint (format version, seed, and each
 * component's role, type, class and version) matches, and regenerates it otherwise.
 *
 * <pre>{@code
 * DemoBundleGenerator.discover().ensure(Path.of("models/demo"), DemoBundleGenerator.DEFAULT_SEED);
 * }</pre>
 *
 * From the command line: {@code DemoBundleGenerator [output-dir [seed]]}, output dir
 * {@code models/demo} by default.
 */
public final class DemoBundleGenerator {
    /** The model id of the demo bundle. */
    public static final String MODEL_NAME = "gpt4video-demo";
    /** The demo bundle's label, also shown by {@code GET /v1/models}. */
    public static final String LABEL = "random weights — for plumbing only";
    public static final long DEFAULT_SEED = 42L;
    public static final Path DEFAULT_DIRECTORY = Path.of("models", "demo");

    /** Bump when the bundle's own layout (manifest fields, README) changes. */
    static final String FORMAT_VERSION = "1";

    private static final Logger log = LoggerFactory.getLogger(DemoBundleGenerator.class);

    private final List<DemoComponent> components;

    /** A generator for exactly these components (at most one per role). */
    public DemoBundleGenerator(Collection<? extends DemoComponent> components) {
        var sorted = new ArrayList<DemoComponent>(components);
        sorted.sort(Comparator.comparing(DemoComponent::role));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).role().equals(sorted.get(i - 1).role())) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "two demo components play role '"
                        + sorted.get(i).role() + "': " + sorted.get(i - 1).getClass().getName() + " and "
                        + sorted.get(i).getClass().getName());
            }
        }
        this.components = List.copyOf(sorted);
    }

    /** A generator for every {@link DemoComponent} registered with {@link ServiceLoader}. */
    public static DemoBundleGenerator discover() {
        var found = new ArrayList<DemoComponent>();
        ServiceLoader.load(DemoComponent.class, DemoComponent.class.getClassLoader()).forEach(found::add);
        return new DemoBundleGenerator(found);
    }

    /** The components this generator writes, sorted by role. */
    public List<DemoComponent> components() {
        return components;
    }

    /**
     * Generates the bundle in {@code dir} unless it is already there and was written by this
     * generator with this seed.
     *
     * @return true if the bundle was (re)generated
     */
    public boolean ensure(Path dir, long seed) {
        if (isCurrent(dir, seed)) {
            return false;
        }
        generate(dir, seed);
        return true;
    }

    /** True when {@code dir} holds a demo bundle written by this generator with this seed. */
    public boolean isCurrent(Path dir, long seed) {
        Path manifest = dir.resolve(ModelManifest.FILE_NAME);
        if (!Files.isRegularFile(manifest)) {
            return false;
        }
        try {
            ModelManifest m = ModelManifest.read(manifest);
            return m.demo() && fingerprint(seed).equals(m.generator());
        } catch (Gpt4VideoException e) {
            log.warn("demo bundle manifest {} is unreadable, regenerating: {}", manifest, e.getMessage());
            return false;
        }
    }

    /**
     * Writes the bundle into {@code dir}, replacing a previous demo bundle there. The bundle is
     * built in a sibling folder and moved into place, so {@code dir} never holds half a bundle.
     *
     * @throws Gpt4VideoException {@link ErrorCode#CONFIG_INVALID} if {@code dir} holds something
     *                            other than a demo bundle (it is never deleted)
     */
    public ModelManifest generate(Path dir, long seed) {
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        try {
            refuseToReplaceNonDemo(target);
            Files.createDirectories(parent);
            Path staging = Files.createTempDirectory(parent, target.getFileName() + ".tmp-");
            makeReadableByAll(staging);
            try {
                var specs = new LinkedHashMap<String, ComponentSpec>();
                for (DemoComponent component : components) {
                    Path componentDir = Files.createDirectories(staging.resolve(component.role()));
                    var out = new ComponentWriter(componentDir, componentSeed(seed, component.role()));
                    component.write(out);
                    specs.put(component.role(), new ComponentSpec(component.type(), Path.of(component.role()), out.options()));
                }
                var manifest = new ModelManifest(MODEL_NAME, LABEL, true, specs, fingerprint(seed));
                Files.writeString(staging.resolve("README.txt"), readme(seed), StandardCharsets.UTF_8);
                // The manifest goes last: a folder without one is never taken for a finished bundle.
                manifest.write(staging.resolve(ModelManifest.FILE_NAME));
                replace(target, staging);
            } finally {
                deleteRecursively(staging);
            }
            log.info("wrote demo bundle {} (seed {}, components {})", target, seed, roles());
            return ModelManifest.read(target.resolve(ModelManifest.FILE_NAME));
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "cannot write demo bundle " + target + ": " + e, e);
        }
    }

    /**
     * Identifies what this generator writes for {@code seed}: it changes when the format version, the
     * seed or any component's role, type, class or version changes.
     */
    public String fingerprint(long seed) {
        var text = new StringBuilder("format " + FORMAT_VERSION + "\nseed " + seed + "\n");
        for (DemoComponent c : components) {
            text.append(c.role()).append(' ').append(c.type()).append(' ')
                    .append(c.getClass().getName()).append(' ').append(c.version()).append('\n');
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return "DemoBundleGenerator/" + FORMAT_VERSION + " sha256:" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** {@code DemoBundleGenerator [output-dir [seed]]}: ensures the demo bundle, default {@code models/demo}. */
    public static void main(String[] args) {
        Path dir = args.length > 0 ? Path.of(args[0]) : DEFAULT_DIRECTORY;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : DEFAULT_SEED;
        try {
            var generator = discover();
            boolean written = generator.ensure(dir, seed);
            System.out.println((written ? "wrote" : "up to date:") + " demo bundle " + dir.toAbsolutePath().normalize()
                    + " (seed " + seed + ", components " + generator.roles() + ")");
        } catch (Gpt4VideoException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    private List<String> roles() {
        return components.stream().map(DemoComponent::role).toList();
    }

    private String readme(long seed) {
        var lines = new StringBuilder();
        for (DemoComponent c : components) {
            lines.append("  ").append(c.role()).append(": ").append(c.type()).append('\n');
        }
        return """
                GPT4Video demo bundle: %s.

                Every weight in this folder was drawn from a random number generator (seed %d)
                by dev.gpt4video.core.bundle.DemoBundleGenerator. The server loads it like a real
                model, so the API, streaming, metrics and tests run without real checkpoints, but
                whatever it answers or generates is noise.

                Components:
                %s
                To regenerate, delete this folder and start the server (it writes a missing demo
                bundle when gpt4video.demo.generate-if-missing is true, the default).
                For real checkpoints see models/README.md in the repository.
                """.formatted(LABEL, seed, lines.isEmpty() ? "  (none yet)\n" : lines);
    }

    /** Spreads the bundle seed over roles so components draw independent streams. */
    static long componentSeed(long seed, String role) {
        long z = seed ^ (0x9E3779B97F4A7C15L * role.hashCode());
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void refuseToReplaceNonDemo(Path target) throws IOException {
        if (!Files.exists(target) || isEmptyDirectory(target)) {
            return;
        }
        Path manifest = target.resolve(ModelManifest.FILE_NAME);
        boolean demo;
        try {
            demo = Files.isRegularFile(manifest) && ModelManifest.read(manifest).demo();
        } catch (Gpt4VideoException e) {
            demo = false;
        }
        if (!demo) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "refusing to write the demo bundle into " + target
                    + ": it is not empty and holds no demo manifest; choose another folder or remove it");
        }
    }

    /** Temporary folders are owner-only; the bundle should have ordinary permissions once moved into place. */
    private static void makeReadableByAll(Path dir) throws IOException {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its defaults apply
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void replace(Path target, Path staging) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling(target.getFileName() + ".old-" + ProcessHandle.current().pid());
            deleteRecursively(old);
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            deleteRecursively(old);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
