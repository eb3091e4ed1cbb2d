package dev.gpt4video.core.bundle;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One component of a model bundle: what kind of thing it is, where its files are and the options
 * its loader needs. The role it plays (the key it is stored under in {@link ModelManifest#components()})
 * is not part of the spec.
 *
 * @param type    which loader reads it, e.g. {@code llama}, {@code clip-vit}, {@code zeroscope-v2};
 *                lower-case letters, digits, {@code . _ -}
 * @param path    the component's folder (absolute once read from a manifest); {@code null} for a
 *                component that needs no files
 * @param options loader options as plain JSON values (String, Number, Boolean, List, Map, null);
 *                kept in insertion order so a written manifest is byte-stable
 */
public record ComponentSpec(String type, Path path, Map<String, Object> options) {

    private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    public ComponentSpec {
        if (type == null || !TYPE.matcher(type).matches()) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "component field 'type' must match " + TYPE + " but was " + quote(type));
        }
        options = options == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** A component with files at {@code path} and no options. */
    public ComponentSpec(String type, Path path) {
        this(type, path, Map.of());
    }

    static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }
}
