package dev.gpt4video.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.server.error.ErrorBody;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * When API keys are configured, every {@code /v1/} request (the WebSocket handshake included) needs
 * {@code Authorization: Bearer <key>}; health, metrics and the web page stay public. Browsers
 * cannot set headers on a WebSocket handshake, so the key may also come as {@code ?api_key=}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiKeyFilter extends OncePerRequestFilter {
    private final ApiProperties properties;
    private final ObjectMapper json;

    public ApiKeyFilter(ApiProperties properties, ObjectMapper json) {
        this.properties = properties;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return properties.keys().isEmpty() || !request.getRequestURI().startsWith("/v1/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = presentedKey(request);
        if (presented != null && accepted(presented)) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(401);
        response.setHeader("WWW-Authenticate", "Bearer");
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        String message = presented == null ? "Missing API key: send Authorization: Bearer <key>" : "Invalid API key";
        json.writeValue(response.getOutputStream(), ErrorBody.of(ErrorCode.UNAUTHORIZED, message, null));
    }

    private static String presentedKey(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).strip();
        }
        return request.getParameter("api_key");
    }

    /** Constant-time comparison, so response timing does not reveal a key's prefix. */
    private boolean accepted(String presented) {
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String key : properties.keys()) {
            ok |= MessageDigest.isEqual(p, key.getBytes(StandardCharsets.UTF_8));
        }
        return ok;
    }
}
