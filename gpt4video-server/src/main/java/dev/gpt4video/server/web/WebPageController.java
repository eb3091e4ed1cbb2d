package dev.gpt4video.server.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.nio.charset.StandardCharsets;

/**
 * The web chat page: {@code /} and {@code /index.html} answer {@code static/index.html}, and
 * {@code /assets/**} serves {@code static/assets/} (plain HTML, CSS and ES modules; no build step).
 * Nothing else maps to static files ({@code spring.web.resources.add-mappings=false}), so any other
 * unknown path, and a missing asset, still gets the JSON {@code 404 not_found}.
 */
@Controller
public class WebPageController {
    private static final Resource INDEX = new ClassPathResource("static/index.html");
    private static final MediaType HTML = new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8);

    @GetMapping({"/", "/index.html"})
    public ResponseEntity<Resource> index() {
        // Revalidated on every load, so a new server version's page is picked up at once.
        return ResponseEntity.ok().cacheControl(CacheControl.noCache()).contentType(HTML).body(INDEX);
    }

    /** Registers {@code /assets/**}, the page's scripts and styles. */
    @Configuration(proxyBeanMethods = false)
    static class Assets implements WebMvcConfigurer {
        @Override
        public void addResourceHandlers(ResourceHandlerRegistry registry) {
            registry.addResourceHandler("/assets/**").addResourceLocations("classpath:/static/assets/")
                    .setCacheControl(CacheControl.noCache());
        }
    }
}
