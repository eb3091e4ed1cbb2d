package dev.gpt4video.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Every error, whoever raises it, answers with the same JSON body and never a stack trace. */
class ErrorResponseTest extends RunningServerTest {

    @Test
    void unknownPathIsA404WithTheJsonBody() {
        Response r = get("/v1/nothing-here");

        assertError(r, 404, "not_found", "invalid_request_error");
        assertThat(r.json().path("error").path("message").asText()).isEqualTo("Unknown path: GET /v1/nothing-here");
        assertThat(r.json().path("error").fieldNames()).toIterable().containsExactly("code", "message", "type", "param");
        assertThat(r.json().path("error").path("param").isNull()).isTrue();
    }

    @Test
    void unknownPathIsJsonEvenWhenTheClientAsksForHtml() {
        assertError(send(request("/nope").header("Accept", "text/html").GET()), 404, "not_found", "invalid_request_error");
        assertError(get("/actuator/nope"), 404, "not_found", "invalid_request_error");
        assertError(get("/error"), 404, "not_found", "invalid_request_error");
    }

    @Test
    void malformedJsonIsA400() {
        Response r = send(request("/test/echo").header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"count\": ")));

        assertError(r, 400, "invalid_request", "invalid_request_error");
        assertThat(r.json().path("error").path("message").asText()).startsWith("Request body is not valid JSON");
    }

    @Test
    void aWrongValueNamesTheParam() {
        Response r = send(request("/test/echo").header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"count\": \"many\"}")));

        assertError(r, 400, "invalid_request", "invalid_request_error");
        assertThat(r.json().path("error").path("param").asText()).isEqualTo("count");
        assertThat(r.body()).doesNotContain("java.", "dev.gpt4video");
    }

    @Test
    void missingParameterIsA400NamingIt() {
        Response r = get("/test/param");

        assertError(r, 400, "invalid_request", "invalid_request_error");
        assertThat(r.json().path("error").path("param").asText()).isEqualTo("n");
    }

    @Test
    void wrongMethodIsA405() {
        Response r = send(request("/v1/models").DELETE());

        assertError(r, 405, "method_not_allowed", "invalid_request_error");
        assertThat(r.headers().firstValue("Allow")).hasValueSatisfying(allow -> assertThat(allow).contains("GET"));
    }

    @Test
    void wrongContentTypeIsA415() {
        Response r = send(request("/test/echo").header("Content-Type", "text/plain").POST(BodyPublishers.ofString("hi")));

        assertError(r, 415, "unsupported_media_type", "invalid_request_error");
    }

    @Test
    void tooLargeUploadIsA413() {
        String boundary = "gpt4video-test-boundary";
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\n"
                + "Content-Type: video/mp4\r\n\r\n"
                + "x".repeat(300_000) + "\r\n"
                + "--" + boundary + "--\r\n";
        Response r = send(request("/test/upload").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(BodyPublishers.ofString(body, StandardCharsets.UTF_8)));

        assertError(r, 413, "payload_too_large", "invalid_request_error");
    }

    @Test
    void gpt4VideoExceptionAnswersWithItsCodesStatus() {
        Response r = get("/test/queue-full");

        assertError(r, 429, "queue_full", "overloaded_error");
        assertThat(r.json().path("error").path("message").asText()).isEqualTo("the generation queue is full; retry later");
    }

    @Test
    void unexpectedExceptionIsA500WithoutDetails() {
        Response r = get("/test/boom");

        assertError(r, 500, "internal_error", "server_error");
        assertThat(r.json().path("error").path("message").asText()).startsWith("Internal server error (reference ");
        assertThat(r.body()).doesNotContain("secret", "IllegalStateException", "at dev.", "trace");
    }

    private static void assertError(Response r, int status, String code, String type) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode error = r.json().path("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("type").asText()).isEqualTo(type);
        assertThat(error.path("message").asText()).isNotBlank();
    }
}
