package dev.gpt4video.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.stream.Stream;

/**
 * A read-only set of named tensors: one safetensors file, a sharded set, or a prefix view of either.
 * Tensor bytes are read lazily, only when a tensor is loaded.
 *
 * <pre>{@code
 * try (Checkpoint ckpt = Checkpoint.open(dir)) {
 *     Checkpoint llm = ckpt.withPrefix("language_model.");
 *     NDArray w = llm.load("model.norm.weight", manager, DataType.FLOAT32);
 * }
 * }</pre>
 */
public interface Checkpoint extends AutoCloseable {

    /** The file or directory this checkpoint was opened from (used in error messages). */
    Path source();

    /** All tensor names, sorted. */
    SortedSet<String> names();

    /** Location and type of a tensor; throws {@link CheckpointException} naming it when absent. */
    TensorInfo info(String name);

    default boolean contains(String name) {
        return names().contains(name);
    }

    /** The tensor's raw little-endian bytes (a read-only view of the mapped file). */
    ByteBuffer bytes(String name);

    /**
     * Loads a tensor into {@code manager} (and so onto its device), converting floating types to
     * {@code target}; {@code null} keeps the stored type, except that BF16 widens to float32 (DJL's
     * PyTorch JNI cannot hold bfloat16 tensors). The array is owned by the manager.
     */
    default NDArray load(String name, NDManager manager, DataType target) {
        return TensorDecoding.toNDArray(info(name), bytes(name), manager, target);
    }

    /** Reads a floating tensor as float32 values in Java (exact for F16 and BF16). */
    default float[] floats(String name) {
        return TensorDecoding.toFloats(info(name), bytes(name));
    }

    /** A view holding only tensors whose name starts with {@code prefix}, with the prefix removed. */
    default Checkpoint withPrefix(String prefix) {
        return new PrefixedCheckpoint(this, prefix);
    }

    @Override
    void close();

    /**
     * Opens a safetensors file, or a directory holding {@code *.safetensors.index.json} (sharded),
     * {@code model.safetensors}, or exactly one {@code *.safetensors} file.
     */
    static Checkpoint open(Path path) {
        if (Files.isRegularFile(path)) {
            if (path.getFileName().toString().endsWith(".index.json")) {
                return ShardedCheckpoint.open(path);
            }
            return SafetensorsReader.open(path);
        }
        if (!Files.isDirectory(path)) {
            throw CheckpointException.invalid(path, null, "no such checkpoint file or directory");
        }
        List<Path> indexes = list(path, ".safetensors.index.json");
        if (indexes.size() == 1) {
            return ShardedCheckpoint.open(indexes.get(0));
        }
        Path single = path.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return SafetensorsReader.open(single);
        }
        List<Path> files = list(path, ".safetensors");
        if (files.size() == 1) {
            return SafetensorsReader.open(files.get(0));
        }
        throw CheckpointException.invalid(path, null, files.isEmpty()
                ? "directory holds no .safetensors file"
                : "directory holds several .safetensors files but no *.safetensors.index.json: " + files);
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (java.io.IOException e) {
            throw new CheckpointException(dev.gpt4video.core.ErrorCode.CHECKPOINT_INVALID, dir, null,
                    "cannot list directory: " + e.getMessage(), e);
        }
    }
}
