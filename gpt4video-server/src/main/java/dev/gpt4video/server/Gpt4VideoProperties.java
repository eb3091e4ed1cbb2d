package dev.gpt4video.server;

import dev.gpt4video.core.bundle.DemoBundleGenerator;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.nio.file.Path;

/**
 * The server's own settings ({@code gpt4video.*}); see {@code docs/models.md}.
 *
 * @param models what to serve: a manifest file or a model folder (a bundle with
 *               {@code manifest.json}, or a plain Hugging Face LLaMA folder); relative paths are
 *               against the working directory
 * @param demo   the demo bundle of random weights
 */
@ConfigurationProperties("gpt4video")
public record Gpt4VideoProperties(@DefaultValue("models/demo") Path models, @DefaultValue Demo demo) {

    /**
     * @param path              where the demo bundle lives; when {@code models} is this folder, the
     *                          server treats it as the demo bundle
     * @param generateIfMissing write the demo bundle at start-up when it is missing or was written by
     *                          another generator version
     * @param seed              the seed its random weights are drawn from
     */
    public record Demo(@DefaultValue("models/demo") Path path,
                       @DefaultValue("true") boolean generateIfMissing,
                       @DefaultValue("" + DemoBundleGenerator.DEFAULT_SEED) long seed) {
    }

    /** True when {@link #models()} is the demo bundle's folder. */
    public boolean servesDemoBundle() {
        return normalized(models).equals(normalized(demo.path()));
    }

    private static Path normalized(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
