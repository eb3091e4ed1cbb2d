package dev.gpt4video.core.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static dev.gpt4video.core.bundle.ComponentSpec.quote;

/**
 * What a model bundle is made of: a name clients address it by, a human label, whether it is a
 * demo bundle of random weights, and its components by role ({@link ComponentRoles}). The JSON form
 * is documented in {@code docs/models.md}:
 *
 * <pre>{@code
 * {"name": "gpt4video-7b", "label": "GPT4Video 7B", "demo": false,
 *  "components": {"llm": {"type": "llama", "path": "llama-7b", "options": {"dtype": "float16"}}}}
 * }</pre>
 *
 * <p>Usage: {@code ModelManifest m = ModelManifest.load(Path.of("models/demo"));} accepts a
 * manifest file, a folder holding {@code manifest.json}, or a plain Hugging Face LLaMA folder.
 *
 * @param name       the model id clients use; letters, digits, {@code . _ : -}
 * @param label      a human description; defaults to the name
 * @param demo       true when the weights are random and outputs meaningless
 * @param components component specs by role, in manifest order; may be empty
 * @param generator  the tool and version that wrote a generated bundle, or {@code null}; the demo
 *                   generator compares it to decide whether to regenerate
 */
public record ModelManifest(String name, String label, boolean demo, Map<String, ComponentSpec> components,
                            String generator) {

    /** The file name a bundle folder keeps its manifest under. */
    public static final String FILE_NAME = "manifest.json";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    // A dotted role names one of several components of a kind, e.g. "t2v.videocrafter1".
    private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)?");

    public ModelManifest {
        if (name == null || !NAME.matcher(name).matches()) {
            throw invalid("manifest field 'name' must match " + NAME + " but was " + quote(name));
        }
        if (label == null || label.isBlank()) {
            label = name;
        }
        var copy = new LinkedHashMap<String, ComponentSpec>();
        if (components != null) {
            components.forEach((role, spec) -> {
                if (role == null || !ROLE.matcher(role).matches()) {
                    throw invalid("manifest field 'components' has role " + quote(role) + "; roles must match " + ROLE);
                }
                if (spec == null) {
                    throw invalid("manifest field 'components." + role + "' must not be null");
                }
                copy.put(role, spec);
            });
        }
        components = Collections.unmodifiableMap(copy);
    }

    /** The component playing {@code role}, if the bundle has one. */
    public Optional<ComponentSpec> component(String role) {
        return Optional.ofNullable(components.get(role));
    }

    /** Each role's component type, in manifest order, e.g. {@code {llm=llama, t2v=zeroscope-v2}}. */
    public Map<String, String> componentTypes() {
        var types = new LinkedHashMap<String, String>();
        components.forEach((role, spec) -> types.put(role, spec.type()));
        return Collections.unmodifiableMap(types);
    }

    /**
     * Reads the manifest for a path: a manifest file, a folder holding {@value #FILE_NAME}, or a
     * plain Hugging Face LLaMA folder (see {@link #forDirectory(Path)}).
     */
    public static ModelManifest load(Path path) {
        if (Files.isRegularFile(path)) {
            return read(path);
        }
        if (Files.isDirectory(path)) {
            return forDirectory(path);
        }
        throw invalid("model path " + path.toAbsolutePath() + " does not exist");
    }

    /**
     * The manifest of a model folder: its {@value #FILE_NAME} if it has one; otherwise, for a plain
     * Hugging Face LLaMA folder ({@code config.json} with {@code "model_type": "llama"} and
     * {@code *.safetensors} files), a text-only manifest with an {@code llm} component of type
     * {@code llama} (and a {@code tokenizer} component when the folder holds one).
     */
    public static ModelManifest forDirectory(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            throw invalid("model directory " + abs + " does not exist");
        }
        Path manifest = abs.resolve(FILE_NAME);
        if (Files.isRegularFile(manifest)) {
            return read(manifest);
        }
        String modelType = huggingFaceModelType(abs);
        if (!"llama".equals(modelType) || !hasSafetensors(abs)) {
            throw invalid("model directory " + abs + " has no " + FILE_NAME + " and is not a Hugging Face LLaMA folder"
                    + " (config.json with \"model_type\": \"llama\" plus *.safetensors); found model_type "
                    + quote(modelType));
        }
        var components = new LinkedHashMap<String, ComponentSpec>();
        components.put(ComponentRoles.LLM, new ComponentSpec("llama", abs));
        if (Files.isRegularFile(abs.resolve("tokenizer.model"))) {
            components.put(ComponentRoles.TOKENIZER, new ComponentSpec("sentencepiece", abs));
        } else if (Files.isRegularFile(abs.resolve("tokenizer.json"))) {
            components.put(ComponentRoles.TOKENIZER, new ComponentSpec("hf-tokenizers", abs));
        }
        String name = modelName(abs.getFileName() == null ? "model" : abs.getFileName().toString());
        return new ModelManifest(name, name + " (LLaMA, text only)", false, components, null);
    }

    /**
     * Reads a manifest file, resolving each component's relative {@code path} against the file's folder.
     *
     * @throws Gpt4VideoException with {@link ErrorCode#CONFIG_INVALID} naming the file and the bad field
     */
    public static ModelManifest read(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        JsonNode root;
        try {
            root = BundleJson.MAPPER.readTree(Files.readAllBytes(abs));
        } catch (NoSuchFileException e) {
            throw invalid("model manifest " + abs + " does not exist");
        } catch (JsonProcessingException e) {
            throw invalid("model manifest " + abs + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "cannot read model manifest " + abs, e);
        }
        try {
            return fromJson(root, abs.getParent());
        } catch (Gpt4VideoException e) {
            throw new Gpt4VideoException(e.code(), "model manifest " + abs + ": " + e.getMessage(), e.getCause());
        }
    }

    /**
     * Writes this manifest to {@code file} (atomically), with component paths relative to the file's
     * folder. The same manifest always writes the same bytes.
     */
    public void write(Path file) throws IOException {
        Path folder = file.toAbsolutePath().normalize().getParent();
        ObjectNode root = BundleJson.MAPPER.createObjectNode();
        root.put("name", name);
        root.put("label", label);
        root.put("demo", demo);
        if (generator != null) {
            root.put("generator", generator);
        }
        ObjectNode comps = root.putObject("components");
        components.forEach((role, spec) -> {
            ObjectNode c = comps.putObject(role);
            c.put("type", spec.type());
            if (spec.path() != null) {
                c.put("path", relativePath(folder, spec.path()));
            }
            if (!spec.options().isEmpty()) {
                c.set("options", BundleJson.MAPPER.valueToTree(spec.options()));
            }
        });
        byte[] json = (BundleJson.IN_ORDER.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        BundleJson.writeAtomically(file, json);
    }

    private static ModelManifest fromJson(JsonNode root, Path folder) {
        if (root == null || !root.isObject()) {
            throw invalid("the top level must be a JSON object");
        }
        String name = string(root, "name", true);
        String label = string(root, "label", false);
        JsonNode demoNode = root.get("demo");
        if (demoNode != null && !demoNode.isNull() && !demoNode.isBoolean()) {
            throw invalid("field 'demo' must be true or false");
        }
        boolean demo = demoNode != null && demoNode.asBoolean();
        String generator = string(root, "generator", false);

        JsonNode comps = root.get("components");
        if (comps == null || !comps.isObject()) {
            throw invalid("field 'components' must be an object of role -> component (it may be empty)");
        }
        var components = new LinkedHashMap<String, ComponentSpec>();
        for (Iterator<Map.Entry<String, JsonNode>> it = comps.fields(); it.hasNext(); ) {
            var entry = it.next();
            components.put(entry.getKey(), componentFromJson("components." + entry.getKey(), entry.getValue(), folder));
        }
        return new ModelManifest(name, label, demo, components, generator);
    }

    private static ComponentSpec componentFromJson(String field, JsonNode node, Path folder) {
        if (!node.isObject()) {
            throw invalid("field '" + field + "' must be an object with 'type', 'path' and 'options'");
        }
        String type = string(node, "type", true, field + ".type");
        String path = string(node, "path", false, field + ".path");
        JsonNode optionsNode = node.get("options");
        Map<String, Object> options = Map.of();
        if (optionsNode != null && !optionsNode.isNull()) {
            if (!optionsNode.isObject()) {
                throw invalid("field '" + field + ".options' must be an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> converted = BundleJson.MAPPER.convertValue(optionsNode, LinkedHashMap.class);
            options = converted;
        }
        try {
            return new ComponentSpec(type, path == null ? null : folder.resolve(path).normalize(), options);
        } catch (Gpt4VideoException e) {
            throw invalid(field + ": " + e.getMessage());
        }
    }

    private static String string(JsonNode node, String key, boolean required) {
        return string(node, key, required, key);
    }

    private static String string(JsonNode node, String key, boolean required, String field) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw invalid("field '" + field + "' is missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw invalid("field '" + field + "' must be a string but was " + v);
        }
        return v.asText();
    }

    private static String relativePath(Path folder, Path path) {
        Path rel = path.isAbsolute() ? folder.relativize(path.normalize()) : path;
        String s = rel.toString().replace('\\', '/');
        return s.isEmpty() ? "." : s;
    }

    private static String huggingFaceModelType(Path dir) {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            return null;
        }
        try {
            JsonNode type = BundleJson.MAPPER.readTree(config.toFile()).get("model_type");
            return type == null ? null : type.asText();
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "cannot read " + config + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasSafetensors(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.safetensors")) {
            return files.iterator().hasNext();
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A folder name made into a valid model id, e.g. {@code "Llama 2 (7B)"} → {@code "llama-2-7b"}. */
    private static String modelName(String folderName) {
        String s = folderName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._:-]+", "-").replaceAll("^[^a-z0-9]+|-+$", "");
        return s.isEmpty() ? "model" : s.length() > 128 ? s.substring(0, 128) : s;
    }

    private static Gpt4VideoException invalid(String message) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, message);
    }
}
