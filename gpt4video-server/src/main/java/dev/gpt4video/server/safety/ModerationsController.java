package dev.gpt4video.server.safety;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpt4video.abstractor.decode.VideoDecoder;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.safety.SafetyAction;
import dev.gpt4video.core.safety.SafetyDecision;
import dev.gpt4video.core.safety.SafetyInput;
import dev.gpt4video.core.safety.SafetyScores;
import dev.gpt4video.core.safety.SafetyStage;
import dev.gpt4video.core.video.Frames;
import dev.gpt4video.safety.nsfwjs.NsfwjsFrameClassifier;
import dev.gpt4video.server.chat.VideoResolver;
import dev.gpt4video.server.chat.VisionEngine;
import dev.gpt4video.server.models.ModelRegistry;
import dev.gpt4video.server.serving.ServingModel;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/moderations} in OpenAI's omni-moderation shape. {@code input} is a string, an
 * array of strings, or content parts ({@code text}, {@code image_url}, and the extension
 * {@code video_url}). Each result has {@code flagged}, {@code categories}, {@code category_scores}
 * and {@code category_applied_input_types}, plus two extensions: {@code classifiers} (each
 * classifier's raw outputs; for nsfwjs the five class probabilities in the model's order) and
 * {@code policy} (the gate's decision per stage).
 */
@RestController
public class ModerationsController {
    private static final int VIDEO_FRAMES = 10;

    private final ModelRegistry registry;
    private final VideoResolver videos;
    private final VideoDecoder decoder;
    private final ObjectMapper json;

    public ModerationsController(ModelRegistry registry, VideoResolver videos, VideoDecoder decoder, ObjectMapper json) {
        this.registry = registry;
        this.videos = videos;
        this.decoder = decoder;
        this.json = json;
    }

    @PostMapping(value = "/v1/moderations", consumes = MediaType.APPLICATION_JSON_VALUE)
    public ObjectNode moderate(@RequestBody JsonNode body) {
        ServingModel serving = registry.serving();
        JsonNode input = body == null ? null : body.get("input");
        if (input == null || input.isNull()) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "input: is required");
        }
        ObjectNode root = json.createObjectNode();
        root.put("id", "modr-" + java.util.UUID.randomUUID().toString().replace("-", ""));
        root.put("model", body.path("model").asText("gpt4video-safety-" + serving.safety().name()));
        ArrayNode results = root.putArray("results");
        if (input.isTextual()) {
            results.add(result(serving, List.of(text(serving, input.asText()))));
        } else if (input.isArray() && !input.isEmpty() && input.get(0).isTextual()) {
            for (JsonNode s : input) {
                results.add(result(serving, List.of(text(serving, s.asText()))));
            }
        } else if (input.isArray()) {
            List<Checked> checks = new ArrayList<>();
            for (int i = 0; i < input.size(); i++) {
                JsonNode part = input.get(i);
                String type = part.path("type").asText("");
                checks.add(switch (type) {
                    case "text" -> text(serving, part.path("text").asText(""));
                    case "image_url" -> image(serving, url(part, "image_url", i));
                    case "video_url" -> video(serving, url(part, "video_url", i));
                    default -> throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "input[" + i
                            + "].type: expected text, image_url or video_url, got '" + type + "'");
                });
            }
            results.add(result(serving, checks));
        } else {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "input: must be a string, an array of strings or content parts");
        }
        return root;
    }

    /** One checked input: its OpenAI input type, the decision, and any raw outputs to report. */
    private record Checked(String inputType, SafetyDecision decision, Map<String, Object> raw) {
    }

    private static String url(JsonNode part, String field, int i) {
        JsonNode u = part.path(field);
        String url = u.isTextual() ? u.asText() : u.path("url").asText(null);
        if (url == null || url.isBlank()) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "input[" + i + "]." + field + ".url: is required");
        }
        return url;
    }

    private Checked text(ServingModel serving, String text) {
        return new Checked("text", serving.safety().check(SafetyInput.text(SafetyStage.INPUT_TEXT, text)), Map.of());
    }

    private Checked image(ServingModel serving, String url) {
        if (!url.startsWith("data:") || !url.contains(";base64,")) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                    "image_url: only data: URLs (data:image/png;base64,...) are accepted; nothing is fetched");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(url.substring(url.indexOf(";base64,") + 8).strip());
        } catch (IllegalArgumentException e) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "image_url: not valid base64");
        }
        Map<String, Object> raw = new LinkedHashMap<>();
        NsfwjsFrameClassifier nsfwjs = serving.safetyTools().frameClassifier().orElse(null);
        if (nsfwjs != null) {
            float[] p = nsfwjs.probabilities(bytes);
            Map<String, Object> probs = new LinkedHashMap<>();
            List<String> classes = nsfwjs.model().config().classes();
            for (int k = 0; k < p.length; k++) {
                probs.put(classes.get(k), (double) p[k]);
            }
            raw.put(nsfwjs.name(), probs);
        }
        return new Checked("image", serving.safety().check(SafetyInput.frames(SafetyStage.INPUT_VIDEO, decodeImage(bytes))), raw);
    }

    private Checked video(ServingModel serving, String url) {
        Frames frames = VisionEngine.toFrames(decoder.sample(videos.resolve(url), VIDEO_FRAMES));
        return new Checked("video", serving.safety().check(SafetyInput.frames(SafetyStage.INPUT_VIDEO, frames)), Map.of());
    }

    static Frames decodeImage(byte[] bytes) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            img = null;
        }
        if (img == null) {
            throw new Gpt4VideoException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "image_url: not a PNG, JPEG, GIF or BMP image");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                int o = (y * w + x) * 3;
                rgb[o] = (byte) (p >> 16);
                rgb[o + 1] = (byte) (p >> 8);
                rgb[o + 2] = (byte) p;
            }
        }
        return new Frames(w, h, 1, List.of(rgb));
    }

    private ObjectNode result(ServingModel serving, List<Checked> checks) {
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, Set<String>> types = new LinkedHashMap<>();
        Set<String> flaggedCategories = new LinkedHashSet<>();
        boolean flagged = false;
        ObjectNode classifiers = json.createObjectNode();
        ArrayNode policy = json.createArrayNode();
        for (Checked c : checks) {
            SafetyDecision d = c.decision();
            d.scores().forEach((k, v) -> {
                scores.merge(k, v, Math::max);
                types.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(c.inputType());
            });
            flaggedCategories.addAll(d.categories());
            flagged |= d.action() != SafetyAction.ALLOW;
            for (SafetyScores s : d.details()) {
                ObjectNode entry = classifiers.withObject("/" + s.classifier());
                entry.set("category_scores", json.valueToTree(s.categoryScores()));
                if (!s.raw().isEmpty()) {
                    entry.set("raw", json.valueToTree(s.raw()));
                }
            }
            c.raw().forEach((name, value) -> classifiers.withObject("/" + name).set("class_probabilities", json.valueToTree(value)));
            ObjectNode p = policy.addObject();
            p.put("input_type", c.inputType()).put("stage", d.stage().id()).put("action", d.action().id());
            p.set("categories", json.valueToTree(d.categories()));
            p.put("refusal", d.refusal());
        }
        ObjectNode r = json.createObjectNode();
        r.put("flagged", flagged);
        ObjectNode cats = r.putObject("categories");
        scores.keySet().forEach(k -> cats.put(k, flaggedCategories.contains(k)));
        flaggedCategories.stream().filter(k -> !scores.containsKey(k)).forEach(k -> cats.put(k, true));
        r.set("category_scores", json.valueToTree(scores));
        r.set("category_applied_input_types", json.valueToTree(types));
        r.set("classifiers", classifiers);
        r.set("policy", policy);
        r.put("gate", serving.safety().name());
        return r;
    }
}
