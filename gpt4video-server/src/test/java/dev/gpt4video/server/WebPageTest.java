package dev.gpt4video.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The chat page is served at {@code /} with its assets; nothing else becomes a static path. */
class WebPageTest extends RunningServerTest {

    @Test
    void servesThePageAtTheRootAndAsIndexHtml() {
        for (String path : new String[] {"/", "/index.html"}) {
            Response r = send(request(path).header("Accept", "text/html").GET());

            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.contentType()).startsWith("text/html");
            assertThat(r.body()).contains("<title>GPT4Video</title>", "/assets/app.js", "/assets/style.css");
        }
    }

    @Test
    void servesTheAssetsAsModulesAndStyles() {
        for (String asset : new String[] {"app.js", "api.js", "dom.js", "video-card.js"}) {
            Response r = get("/assets/" + asset);

            assertThat(r.status()).as(asset).isEqualTo(200);
            assertThat(r.contentType()).as(asset).contains("javascript");
        }
        Response css = get("/assets/style.css");
        assertThat(css.status()).isEqualTo(200);
        assertThat(css.contentType()).startsWith("text/css");
    }

    @Test
    void missingAssetsAndOtherPathsStayJson404s() {
        for (String path : new String[] {"/assets/nope.js", "/static/index.html", "/style.css", "/assets/../application.properties"}) {
            Response r = send(request(path).header("Accept", "text/html").GET());

            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.contentType()).as(path).startsWith("application/json");
            assertThat(r.json().path("error").path("code").asText()).isEqualTo("not_found");
        }
    }
}
