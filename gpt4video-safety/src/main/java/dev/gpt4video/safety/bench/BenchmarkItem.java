package dev.gpt4video.safety.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One labelled benchmark line: a request (and, for understanding, the video it is about). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BenchmarkItem(@JsonProperty("id") String id, @JsonProperty("video") String video,
                            @JsonProperty("text") String text, @JsonProperty("label") String label,
                            @JsonProperty("category") String category) {
    public BenchmarkItem {
        if (!"harmful".equals(label) && !"benign".equals(label)) {
            throw new IllegalArgumentException(id + ": label must be harmful or benign, got " + label);
        }
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(id + ": no text");
        }
    }

    public boolean harmful() {
        return label.equals("harmful");
    }
}
