package dev.gpt4video.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The GPT4Video inference server: OpenAI-shaped REST API, health probes and Prometheus metrics
 * over the models named by {@code gpt4video.models}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class Gpt4VideoServerApplication {

    public static void main(String[] args) {
        SpringApplication.run(Gpt4VideoServerApplication.class, args);
    }
}
