package dev.gpt4video.core.chat;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.Locale;

/** Who wrote a message. */
public enum Role {
    SYSTEM, USER, ASSISTANT;

    public static Role of(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "messages: unknown role '" + name + "'");
        }
    }
}
