package dev.gpt4video.core.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * For plain language models without a chat format (e.g. a story model): BOS, then the messages'
 * text concatenated; videos, if any, are spliced where they appear.
 */
final class PlainTemplate implements PromptTemplate {
    @Override
    public String name() {
        return "plain";
    }

    @Override
    public String defaultSystemPrompt() {
        return "";
    }

    @Override
    public List<String> stopStrings() {
        return List.of();
    }

    @Override
    public List<PromptPiece> render(String systemPrompt, List<ChatMessage> messages) {
        List<PromptPiece> out = new ArrayList<>();
        out.add(new PromptPiece.Bos());
        StringBuilder text = new StringBuilder(systemText(systemPrompt, messages));
        for (ChatMessage m : messages) {
            if (m.role() == Role.SYSTEM) {
                continue;
            }
            for (ContentPart p : m.content()) {
                if (p instanceof ContentPart.Video v) {
                    if (!text.isEmpty()) {
                        out.add(new PromptPiece.Text(text.toString()));
                        text.setLength(0);
                    }
                    out.add(new PromptPiece.Video(v.index()));
                } else if (p instanceof ContentPart.Text t) {
                    if (!text.isEmpty() && !Character.isWhitespace(text.charAt(text.length() - 1))) {
                        text.append(' ');
                    }
                    text.append(t.text());
                }
            }
        }
        if (!text.isEmpty()) {
            out.add(new PromptPiece.Text(text.toString()));
        }
        return out;
    }
}
