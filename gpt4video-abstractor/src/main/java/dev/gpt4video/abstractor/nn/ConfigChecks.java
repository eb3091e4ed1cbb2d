package dev.gpt4video.abstractor.nn;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

/** Validation used by the config records' compact constructors; failures name the field. */
public final class ConfigChecks {
    private ConfigChecks() {
    }

    public static int positive(String field, Integer value) {
        if (value == null || value <= 0) {
            throw invalid(field, "must be a positive integer, got " + value);
        }
        return value;
    }

    public static double positive(String field, Double value) {
        if (value == null || !(value > 0) || value.isInfinite()) {
            throw invalid(field, "must be a positive number, got " + value);
        }
        return value;
    }

    public static void divides(String field, int divisor, String divisorField, int value) {
        if (value % divisor != 0) {
            throw invalid(field, value + " is not a multiple of " + divisorField + " " + divisor);
        }
    }

    public static Gpt4VideoException invalid(String field, String message) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, field + ": " + message);
    }
}
