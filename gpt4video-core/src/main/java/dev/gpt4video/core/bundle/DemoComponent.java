package dev.gpt4video.core.bundle;

import java.io.IOException;

/**
 * A part of the demo bundle: writes a small, randomly initialised component (config plus weights)
 * so the server and its tests can run end to end without real checkpoints. Modules register their
 * implementations in {@code META-INF/services/dev.gpt4video.core.bundle.DemoComponent};
 * {@link DemoBundleGenerator} finds them with {@link java.util.ServiceLoader}.
 *
 * <p>Output must depend only on {@link ComponentWriter#seed()} (use {@link ComponentWriter#random()},
 * never the clock or a shared {@code Random}), so the same seed writes byte-identical files.
 *
 * <pre>{@code
 * public final class TinyLlamaDemo implements DemoComponent {
 *     public String role() { return ComponentRoles.LLM; }
 *     public String type() { return "llama"; }
 *     public void write(ComponentWriter out) throws IOException {
 *         out.writeJson("config.json", Map.of("model_type", "llama", "hidden_size", 64));
 *         out.writeBytes("model.safetensors", tinyWeights(out.random()));
 *     }
 * }
 * }</pre>
 */
public interface DemoComponent {

    /** The role this component plays in the bundle ({@link ComponentRoles}); one component per role. */
    String role();

    /** The component type written to the manifest, i.e. which loader reads it. */
    String type();

    /**
     * The version of what {@link #write} produces. Bump it whenever the output changes: a bundle
     * written by another version is regenerated.
     */
    default String version() {
        return "1";
    }

    /** Writes the component's files into {@link ComponentWriter#directory()}. */
    void write(ComponentWriter out) throws IOException;
}
