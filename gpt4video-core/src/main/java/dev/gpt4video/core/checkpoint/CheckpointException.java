package dev.gpt4video.core.checkpoint;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.nio.file.Path;

/** A checkpoint that cannot be read or does not fit the model; names the file and, where known, the tensor. */
public class CheckpointException extends Gpt4VideoException {
    private final Path file;
    private final String tensor;

    public CheckpointException(ErrorCode code, Path file, String tensor, String message) {
        this(code, file, tensor, message, null);
    }

    public CheckpointException(ErrorCode code, Path file, String tensor, String message, Throwable cause) {
        super(code, describe(file, tensor, message), cause);
        this.file = file;
        this.tensor = tensor;
    }

    private static String describe(Path file, String tensor, String message) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (tensor != null) {
            sb.append("tensor '").append(tensor).append("': ");
        }
        return sb.append(message).toString();
    }

    public static CheckpointException invalid(Path file, String tensor, String message) {
        return new CheckpointException(ErrorCode.CHECKPOINT_INVALID, file, tensor, message);
    }

    /** The file involved, or null. */
    public Path file() {
        return file;
    }

    /** The tensor involved, or null. */
    public String tensor() {
        return tensor;
    }
}
