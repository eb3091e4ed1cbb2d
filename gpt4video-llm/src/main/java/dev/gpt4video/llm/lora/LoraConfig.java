package dev.gpt4video.llm.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A PEFT {@code adapter_config.json} for LoRA. {@code target_modules} is either a list of module
 * names (a module matches when its name equals one or ends with {@code "." + name}) or one regex
 * string matched against the whole module name ({@code re.fullmatch}), as PEFT does.
 *
 * @param targetModules the list form, or null when {@code targetRegex} is used
 * @param targetRegex the regex form, or null
 * @param baseModelNameOrPath null when the file does not say
 * @param useRslora scale by {@code alpha/sqrt(r)} instead of {@code alpha/r}
 */
public record LoraConfig(int r, double loraAlpha, List<String> targetModules, String targetRegex,
                         boolean fanInFanOut, String baseModelNameOrPath, boolean useRslora) {

    public LoraConfig {
        if (r <= 0) {
            throw invalid("r", r, "must be > 0");
        }
        if (!(loraAlpha > 0) || Double.isInfinite(loraAlpha)) {
            throw invalid("lora_alpha", loraAlpha, "must be a finite number > 0");
        }
        if ((targetModules == null) == (targetRegex == null)) {
            throw invalid("target_modules", null, "must be a list of names or a regex string");
        }
        targetModules = targetModules == null ? null : List.copyOf(targetModules);
        if (targetRegex != null) {
            try {
                Pattern.compile(targetRegex);
            } catch (PatternSyntaxException e) {
                throw invalid("target_modules", targetRegex, "is not a valid regex: " + e.getDescription());
            }
        }
    }

    /** The merge factor: {@code lora_alpha / r} (or {@code / sqrt(r)} with rsLoRA). */
    public double scaling() {
        return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    }

    /** Whether PEFT would have wrapped the module with this name (relative to the wrapped model). */
    public boolean targets(String moduleName) {
        if (targetRegex != null) {
            return Pattern.compile(targetRegex).matcher(moduleName).matches();
        }
        for (String t : targetModules) {
            if (moduleName.equals(t) || moduleName.endsWith("." + t)) {
                return true;
            }
        }
        return false;
    }

    public static LoraConfig read(Path file) {
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, file + ": cannot read: " + e.getMessage(), e);
        }
        return fromJson(c);
    }

    public static LoraConfig fromJson(JsonNode c) {
        String type = c.path("peft_type").asText("LORA");
        if (!type.equalsIgnoreCase("LORA")) {
            throw invalid("peft_type", type, "only LORA adapters are supported");
        }
        for (String pattern : new String[] {"rank_pattern", "alpha_pattern"}) {
            if (c.path(pattern).isObject() && !c.get(pattern).isEmpty()) {
                throw invalid(pattern, c.get(pattern), "per-module ranks or alphas are not supported");
            }
        }
        if (c.path("use_dora").asBoolean(false)) {
            throw invalid("use_dora", true, "DoRA adapters are not supported");
        }
        if (!c.hasNonNull("r") || !c.get("r").canConvertToInt()) {
            throw invalid("r", c.get("r"), "must be an integer");
        }
        if (!c.hasNonNull("lora_alpha") || !c.get("lora_alpha").isNumber()) {
            throw invalid("lora_alpha", c.get("lora_alpha"), "must be a number");
        }
        JsonNode targets = c.get("target_modules");
        List<String> list = null;
        String regex = null;
        if (targets != null && targets.isTextual()) {
            regex = targets.asText();
        } else if (targets != null && targets.isArray()) {
            list = new ArrayList<>();
            for (JsonNode t : targets) {
                list.add(t.asText());
            }
        }
        String bias = c.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw invalid("bias", bias, "only \"none\" is supported");
        }
        String base = c.hasNonNull("base_model_name_or_path") ? c.get("base_model_name_or_path").asText() : null;
        return new LoraConfig(c.get("r").asInt(), c.get("lora_alpha").asDouble(), list, regex,
                c.path("fan_in_fan_out").asBoolean(false), base == null || base.isBlank() ? null : base,
                c.path("use_rslora").asBoolean(false));
    }

    private static Gpt4VideoException invalid(String field, Object value, String rule) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "adapter_config.json: " + field + " = " + value + ": " + rule);
    }
}
