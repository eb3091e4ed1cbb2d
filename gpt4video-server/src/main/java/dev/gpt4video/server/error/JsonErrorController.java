package dev.gpt4video.server.error;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's {@code BasicErrorController} at {@code /error}, where the servlet container
 * forwards errors raised outside Spring MVC (filters, the container itself), so those get the same
 * {@link ErrorBody} as everything else.
 */
@RestController
public class JsonErrorController implements ErrorController {
    private static final Logger log = LoggerFactory.getLogger(JsonErrorController.class);

    @RequestMapping("${server.error.path:/error}")
    public ResponseEntity<ErrorBody> error(HttpServletRequest request) {
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (!(request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer status)) {
            // Asked for directly rather than forwarded to: there is nothing here.
            return ErrorBody.response(HttpStatusCode.valueOf(404), HttpHeaders.EMPTY, ErrorCode.NOT_FOUND,
                    ApiExceptionHandler.unknownPath(request), null);
        }
        Throwable ex = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof Gpt4VideoException g) {
                return ErrorBody.response(g);
            }
        }
        if (status >= 500) {
            log.error("request {} failed with {} outside Spring MVC", uri, status, ex);
        }
        ErrorCode code = ErrorBody.codeFor(status);
        String message = code == ErrorCode.NOT_FOUND ? "Unknown path: " + uri
                : ApiExceptionHandler.reasonPhrase(HttpStatusCode.valueOf(status));
        return ErrorBody.response(HttpStatusCode.valueOf(status), HttpHeaders.EMPTY, code, message, null);
    }
}
