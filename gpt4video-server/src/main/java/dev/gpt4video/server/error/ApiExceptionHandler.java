package dev.gpt4video.server.error;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * The one place exceptions become HTTP errors, all with an {@link ErrorBody}:
 * {@link Gpt4VideoException} answers with its {@link ErrorCode}'s status; Spring MVC's own
 * exceptions (unknown path, wrong method or media type, malformed JSON, missing parameter, upload
 * too large…) keep Spring's status and get the matching code; anything else is a 500
 * {@code internal_error} whose message carries only a reference to the logged stack trace.
 * Errors raised outside Spring MVC are rendered by {@link JsonErrorController}.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(Gpt4VideoException.class)
    public ResponseEntity<ErrorBody> handleGpt4Video(Gpt4VideoException e, HttpServletRequest request) {
        ErrorCode code = e.code();
        if (code.httpStatus() >= 500) {
            log.error("{} {} failed with {}", request.getMethod(), request.getRequestURI(), code.code(), e);
        } else {
            log.debug("{} {} rejected with {}: {}", request.getMethod(), request.getRequestURI(), code.code(), e.getMessage());
        }
        return ErrorBody.response(e);
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<ErrorBody> handleUnexpected(Exception e, HttpServletRequest request) {
        String reference = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        log.error("{} {} failed unexpectedly (reference {})", request.getMethod(), request.getRequestURI(), reference, e);
        return ErrorBody.response(HttpStatus.INTERNAL_SERVER_ERROR, HttpHeaders.EMPTY, ErrorCode.INTERNAL,
                "Internal server error (reference " + reference + ")", null);
    }

    /** Every Spring MVC exception the base class knows ends up here with the status Spring chose. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode status, WebRequest webRequest) {
        HttpServletRequest request = ((ServletWebRequest) webRequest).getRequest();
        var response = ((ServletWebRequest) webRequest).getResponse();
        if (response != null && response.isCommitted()) {
            log.warn("{} {}: response already committed, cannot report {}", request.getMethod(), request.getRequestURI(), ex.toString());
            return null;
        }
        if (status.is5xxServerError()) {
            log.error("{} {} failed", request.getMethod(), request.getRequestURI(), ex);
        } else {
            log.debug("{} {} rejected: {}", request.getMethod(), request.getRequestURI(), ex.toString());
        }
        ResponseEntity<ErrorBody> error = ErrorBody.response(status, headers, ErrorBody.codeFor(status.value()),
                message(ex, status, request), param(ex));
        return new ResponseEntity<>(error.getBody(), error.getHeaders(), error.getStatusCode());
    }

    private static String message(Exception ex, HttpStatusCode status, HttpServletRequest request) {
        return switch (ex) {
            case NoResourceFoundException e -> unknownPath(request);
            case NoHandlerFoundException e -> unknownPath(request);
            case HttpRequestMethodNotSupportedException e -> "Method " + e.getMethod() + " is not allowed on "
                    + request.getRequestURI() + (e.getSupportedHttpMethods() == null ? ""
                    : "; allowed: " + e.getSupportedHttpMethods().stream().map(Object::toString).collect(Collectors.joining(", ")));
            case HttpMessageNotReadableException e -> unreadableBody(e);
            case MaxUploadSizeExceededException e -> "Upload is larger than the server accepts"
                    + (e.getMaxUploadSize() > 0 ? " (" + e.getMaxUploadSize() + " bytes)" : "");
            case ErrorResponse e when e.getBody().getDetail() != null -> e.getBody().getDetail();
            default -> reasonPhrase(status);
        };
    }

    private static String param(Exception ex) {
        return switch (ex) {
            case MissingServletRequestParameterException e -> e.getParameterName();
            case MissingServletRequestPartException e -> e.getRequestPartName();
            case MethodArgumentTypeMismatchException e -> e.getName();
            case MethodArgumentNotValidException e when e.getFieldError() != null -> e.getFieldError().getField();
            case HttpMessageNotReadableException e when e.getCause() instanceof JsonMappingException m
                    && !m.getPath().isEmpty() -> jsonPath(m);
            default -> null;
        };
    }

    static String unknownPath(HttpServletRequest request) {
        return "Unknown path: " + request.getMethod() + " " + request.getRequestURI();
    }

    /** Jackson's messages can name Java classes, so only the parse error and the field path are passed on. */
    private static String unreadableBody(HttpMessageNotReadableException e) {
        if (e.getCause() instanceof JsonParseException p) {
            var where = p.getLocation();
            return "Request body is not valid JSON: " + p.getOriginalMessage()
                    + (where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")");
        }
        if (e.getCause() instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return "Request body has an invalid value for '" + jsonPath(m) + "'";
        }
        return e.getCause() == null ? "Request body is missing" : "Request body is not valid JSON or has the wrong shape";
    }

    private static String jsonPath(JsonMappingException m) {
        var path = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    static String reasonPhrase(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known != null ? known.getReasonPhrase() : "HTTP " + status.value();
    }
}
