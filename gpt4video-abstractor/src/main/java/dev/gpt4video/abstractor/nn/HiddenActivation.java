package dev.gpt4video.abstractor.nn;

import ai.djl.ndarray.NDArray;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.Locale;

/** The activations Hugging Face configs name in {@code hidden_act}. */
public enum HiddenActivation {
    /** {@code x·σ(1.702x)}, CLIP's and mPLUG-Owl's approximation. */
    QUICK_GELU("quick_gelu") {
        @Override
        public NDArray apply(NDArray x) {
            return x.getNDArrayInternal().swish(1.702f);
        }
    },
    /** The exact erf form {@code x·Φ(x)}. */
    GELU("gelu") {
        @Override
        public NDArray apply(NDArray x) {
            return x.getNDArrayInternal().gelu();
        }
    },
    /** {@code x·σ(x)}. */
    SILU("silu") {
        @Override
        public NDArray apply(NDArray x) {
            return x.getNDArrayInternal().swish(1f);
        }
    };

    private final String configName;

    HiddenActivation(String configName) {
        this.configName = configName;
    }

    public abstract NDArray apply(NDArray x);

    /** The {@code hidden_act} spelling. */
    public String configName() {
        return configName;
    }

    /** Parses a {@code hidden_act} value ({@code swish} is an alias of {@code silu}); {@code field} names it in errors. */
    public static HiddenActivation of(String name, String field) {
        String n = name.toLowerCase(Locale.ROOT);
        for (HiddenActivation a : values()) {
            if (a.configName.equals(n)) {
                return a;
            }
        }
        if (n.equals("swish")) {
            return SILU;
        }
        throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                field + ": activation '" + name + "' is not one of quick_gelu, gelu, silu");
    }
}
