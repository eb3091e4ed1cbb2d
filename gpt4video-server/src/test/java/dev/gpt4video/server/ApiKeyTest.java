package dev.gpt4video.server;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** With API keys configured, /v1 needs {@code Authorization: Bearer}; health stays public. */
class ApiKeyTest extends RunningServerTest {

    @DynamicPropertySource
    static void keys(DynamicPropertyRegistry registry) {
        registry.add("gpt4video.api.keys", () -> "key-one,key-two");
    }

    @BeforeEach
    void ready() {
        awaitReady();
    }

    @Test
    void keysAreRequiredOnTheApiOnly() {
        Response none = get("/v1/models");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().path("error").path("code").asText()).isEqualTo("unauthorized");
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");

        Response wrong = send(request("/v1/models").header("Authorization", "Bearer nope").GET());
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().path("error").path("message").asText()).isEqualTo("Invalid API key");

        assertThat(send(request("/v1/models").header("Authorization", "Bearer key-two").GET()).status()).isEqualTo(200);
        assertThat(get("/actuator/health").status()).isEqualTo(200);
        assertThat(get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    @Test
    void theWebSocketHandshakeNeedsAKeyToo() {
        URI noKey = URI.create("ws://127.0.0.1:" + port + "/v1/chat/stream");
        assertThatThrownBy(() -> http.newWebSocketBuilder().buildAsync(noKey, new WebSocket.Listener() {
        }).orTimeout(30, TimeUnit.SECONDS).join()).isInstanceOf(CompletionException.class);
        WebSocket ws = http.newWebSocketBuilder().header("Authorization", "Bearer key-one")
                .buildAsync(noKey, new WebSocket.Listener() {
                }).orTimeout(30, TimeUnit.SECONDS).join();
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
        WebSocket viaQuery = http.newWebSocketBuilder()
                .buildAsync(URI.create(noKey + "?api_key=key-two"), new WebSocket.Listener() {
                }).orTimeout(30, TimeUnit.SECONDS).join();
        viaQuery.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }
}
