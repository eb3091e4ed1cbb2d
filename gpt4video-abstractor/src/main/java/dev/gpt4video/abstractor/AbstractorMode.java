package dev.gpt4video.abstractor;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.Locale;

/** Which abstractor turns frame features into visual tokens. */
public enum AbstractorMode {
    /**
     * mPLUG-Owl's video abstractor, as GPT4Video's released code calls it (the default): shared
     * stack over spatial + temporal queries, {@code [B, Q+1, llm_hidden]}.
     */
    MPLUG_OWL_VIDEO("mplug-owl-video"),
    /** The GPT4Video paper's eqs. 1–3, our own tensor layout ({@code paper_abstractor.*}): {@code [B, Q, llm_hidden]}. */
    PAPER("paper");

    private final String settingName;

    AbstractorMode(String settingName) {
        this.settingName = settingName;
    }

    /** The spelling used in settings and on the command line. */
    public String settingName() {
        return settingName;
    }

    /** Parses a setting value; null or blank gives the default. */
    public static AbstractorMode of(String value) {
        if (value == null || value.isBlank()) {
            return MPLUG_OWL_VIDEO;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (AbstractorMode m : values()) {
            if (m.settingName.equals(v)) {
                return m;
            }
        }
        throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                "abstractor mode: '" + value + "' is not one of mplug-owl-video, paper");
    }
}
