package dev.gpt4video.core;

/**
 * Stable error codes shared by every module. The code string is part of the public API (it is the
 * {@code error.code} of every JSON error body); the HTTP status is the one the server answers with.
 */
public enum ErrorCode {
    INVALID_REQUEST("invalid_request", 400, "invalid_request_error"),
    UNAUTHORIZED("unauthorized", 401, "authentication_error"),
    NOT_FOUND("not_found", 404, "invalid_request_error"),
    MODEL_NOT_FOUND("model_not_found", 404, "invalid_request_error"),
    METHOD_NOT_ALLOWED("method_not_allowed", 405, "invalid_request_error"),
    NOT_ACCEPTABLE("not_acceptable", 406, "invalid_request_error"),
    PAYLOAD_TOO_LARGE("payload_too_large", 413, "invalid_request_error"),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415, "invalid_request_error"),
    CONTEXT_LENGTH_EXCEEDED("context_length_exceeded", 400, "invalid_request_error"),
    QUEUE_FULL("queue_full", 429, "overloaded_error"),
    NOT_READY("not_ready", 503, "server_error"),
    CANCELLED("cancelled", 499, "invalid_request_error"),

    CHECKPOINT_INVALID("checkpoint_invalid", 500, "server_error"),
    CHECKPOINT_TENSOR_MISSING("checkpoint_tensor_missing", 500, "server_error"),
    CHECKPOINT_TENSOR_UNEXPECTED("checkpoint_tensor_unexpected", 500, "server_error"),
    CHECKPOINT_SHAPE_MISMATCH("checkpoint_shape_mismatch", 500, "server_error"),
    CONFIG_INVALID("config_invalid", 500, "server_error"),
    TOKENIZER_INVALID("tokenizer_invalid", 500, "server_error"),
    ADAPTER_MISMATCH("adapter_mismatch", 500, "server_error"),

    /** The bytes are a video container we accept, but cannot be decoded (empty, truncated, corrupt, no frames). */
    VIDEO_DECODE_FAILED("video_decode_failed", 422, "invalid_request_error"),
    /** The container holds no video stream (e.g. audio only). */
    VIDEO_NO_STREAM("video_no_stream", 422, "invalid_request_error"),
    /** The file or its frames exceed the size limits (bytes, width, height, pixels per frame). */
    VIDEO_TOO_LARGE("video_too_large", 413, "invalid_request_error"),
    /** The video exceeds the duration or frame-count limits. */
    VIDEO_TOO_LONG("video_too_long", 413, "invalid_request_error"),
    /** Decoding did not finish within the decode deadline; the work was aborted. */
    VIDEO_DECODE_TIMEOUT("video_decode_timeout", 422, "invalid_request_error"),
    CONTENT_BLOCKED("content_blocked", 400, "invalid_request_error"),
    GENERATION_FAILED("generation_failed", 500, "server_error"),
    INTERNAL("internal_error", 500, "server_error");

    private final String code;
    private final int httpStatus;
    private final String type;

    ErrorCode(String code, int httpStatus, String type) {
        this.code = code;
        this.httpStatus = httpStatus;
        this.type = type;
    }

    /** The stable string clients match on, e.g. {@code checkpoint_tensor_missing}. */
    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The OpenAI-style error {@code type}. */
    public String type() {
        return type;
    }
}
