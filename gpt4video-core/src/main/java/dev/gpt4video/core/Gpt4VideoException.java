package dev.gpt4video.core;

import java.util.Objects;

/** The one exception type of the project; every failure a caller can act on carries an {@link ErrorCode}. */
public class Gpt4VideoException extends RuntimeException {
    private final ErrorCode code;

    public Gpt4VideoException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public Gpt4VideoException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }
}
