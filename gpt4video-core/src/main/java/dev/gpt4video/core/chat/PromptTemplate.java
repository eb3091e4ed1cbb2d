package dev.gpt4video.core.chat;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Renders a conversation into prompt pieces, ending where the assistant's reply begins.
 * Templates are looked up by name: {@code mplug-owl-video} (the real mPLUG-Owl video prompt),
 * {@code gpt4video} (the layout GPT4Video's released code trains on), {@code paper} (the paper's
 * {@code ###Human:} form) and {@code plain} (text only, for plain language models).
 */
public interface PromptTemplate {
    String name();

    /** The system prompt used when the request gives none. */
    String defaultSystemPrompt();

    /** Strings that mark the end of the assistant's turn (the start of the next human turn). */
    List<String> stopStrings();

    /**
     * @param systemPrompt null for the template's default
     */
    List<PromptPiece> render(String systemPrompt, List<ChatMessage> messages);

    Map<String, Supplier<PromptTemplate>> BUILT_IN = Map.of(
            "mplug-owl-video", MplugOwlVideoTemplate::new,
            "gpt4video", Gpt4VideoTemplate::new,
            "paper", PaperTemplate::new,
            "plain", PlainTemplate::new);

    static PromptTemplate named(String name) {
        Supplier<PromptTemplate> t = BUILT_IN.get(name);
        if (t == null) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "prompt template: unknown '" + name + "', expected one of " + BUILT_IN.keySet());
        }
        return t.get();
    }

    /** The system prompt: the request's system messages if any, else the given one, else the default. */
    default String systemText(String systemPrompt, List<ChatMessage> messages) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            if (m.role() == Role.SYSTEM) {
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(m.text());
            }
        }
        if (!sb.isEmpty()) {
            return sb.toString();
        }
        return systemPrompt != null ? systemPrompt : defaultSystemPrompt();
    }
}
