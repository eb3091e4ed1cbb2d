package dev.gpt4video.server.error;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The JSON body of every error response, shaped like OpenAI's:
 * {@code {"error": {"code": "queue_full", "message": "...", "type": "overloaded_error", "param": null}}}.
 */
public record ErrorBody(Detail error) {

    /**
     * @param code    the stable {@link ErrorCode#code()} clients match on
     * @param message for people; never a stack trace
     * @param type    the OpenAI error type
     * @param param   the request field at fault, or {@code null}
     */
    public record Detail(String code, String message, String type, String param) {
    }

    public static ErrorBody of(ErrorCode code, String message, String param) {
        return new ErrorBody(new Detail(code.code(), message, code.type(), param));
    }

    /** The response for {@code code}, with {@code status} (usually {@code code}'s own) and a JSON content type. */
    static ResponseEntity<ErrorBody> response(HttpStatusCode status, HttpHeaders headers, ErrorCode code,
                                              String message, String param) {
        var h = new HttpHeaders();
        h.putAll(headers);
        // Set explicitly so the error is JSON whatever the request's Accept header asked for.
        h.setContentType(MediaType.APPLICATION_JSON);
        return new ResponseEntity<>(of(code, message, param), h, status);
    }

    /** The response for a {@link Gpt4VideoException}: its code's status, its message. */
    static ResponseEntity<ErrorBody> response(Gpt4VideoException e) {
        ErrorCode code = e.code();
        String message = e.getMessage() != null ? e.getMessage() : code.code();
        HttpHeaders headers = new HttpHeaders();
        String retry = retryAfterSeconds(code);
        if (retry != null) {
            headers.set(HttpHeaders.RETRY_AFTER, retry);
        }
        return response(HttpStatusCode.valueOf(code.httpStatus()), headers, code, message, null);
    }

    /** Overload and warm-up are temporary: tell clients when to retry (seconds), as OpenAI's 429s do. */
    static String retryAfterSeconds(ErrorCode code) {
        return switch (code) {
            case QUEUE_FULL -> "1";
            case NOT_READY -> "5";
            default -> null;
        };
    }

    /** The error code for an HTTP status Spring or the servlet container chose. */
    static ErrorCode codeFor(int status) {
        return switch (status) {
            case 400 -> ErrorCode.INVALID_REQUEST;
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 406 -> ErrorCode.NOT_ACCEPTABLE;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> ErrorCode.NOT_READY;
            default -> status >= 400 && status < 500 ? ErrorCode.INVALID_REQUEST : ErrorCode.INTERNAL;
        };
    }
}
