package dev.gpt4video.abstractor.testing;

import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.core.checkpoint.TensorInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/** Modified copies of a fixture checkpoint, written to a temporary directory (never into the repository). */
public final class CheckpointCopies {
    private CheckpointCopies() {
    }

    /**
     * Copies {@code source} (config.json + safetensors) to {@code target}, keeping the tensors
     * {@code keep} accepts and adding those {@code extra} puts.
     */
    public static Path copy(Path source, Path target, Predicate<String> keep,
                            java.util.function.Consumer<SafetensorsWriter> extra) {
        try {
            Files.createDirectories(target);
            Files.copy(source.resolve("config.json"), target.resolve("config.json"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafetensorsWriter out = new SafetensorsWriter();
        try (Checkpoint ckpt = Checkpoint.open(source)) {
            for (String name : ckpt.names()) {
                if (keep.test(name)) {
                    TensorInfo info = ckpt.info(name);
                    out.putBytes(name, info.dtype(), info.shape(), ckpt.bytes(name));
                }
            }
            extra.accept(out);
            out.write(target.resolve("model.safetensors"));
        }
        return target;
    }

    public static java.util.SortedSet<String> names(Path dir) {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            return new java.util.TreeSet<>(ckpt.names());
        }
    }
}
