package dev.gpt4video.core.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * The paper's prompt: {@code ###Human: <video>[embeddings]</video>}, {@code ###Human: …},
 * {@code ###AI:}. With several videos in one conversation the tags are numbered
 * ({@code <video0>…</video0>}) so the text can refer to each.
 */
final class PaperTemplate implements PromptTemplate {
    @Override
    public String name() {
        return "paper";
    }

    @Override
    public String defaultSystemPrompt() {
        return "";
    }

    @Override
    public List<String> stopStrings() {
        return List.of("###");
    }

    @Override
    public List<PromptPiece> render(String systemPrompt, List<ChatMessage> messages) {
        boolean numbered = messages.stream().mapToLong(m -> m.videos().size()).sum() > 1;
        List<PromptPiece> out = new ArrayList<>();
        out.add(new PromptPiece.Bos());
        String system = systemText(systemPrompt, messages);
        StringBuilder text = new StringBuilder(system.isEmpty() ? "" : system + "\n");
        for (ChatMessage m : messages) {
            switch (m.role()) {
                case SYSTEM -> {
                }
                case USER -> {
                    for (ContentPart p : m.content()) {
                        if (p instanceof ContentPart.Video v) {
                            String tag = numbered ? "video" + v.index() : "video";
                            text.append("###Human: <").append(tag).append('>');
                            out.add(new PromptPiece.Text(text.toString()));
                            out.add(new PromptPiece.Video(v.index()));
                            text.setLength(0);
                            text.append("</").append(tag).append(">\n");
                        } else if (p instanceof ContentPart.Text t) {
                            text.append("###Human: ").append(t.text()).append('\n');
                        }
                    }
                }
                case ASSISTANT -> text.append("###AI: ").append(m.text()).append('\n');
            }
        }
        text.append("###AI:");
        out.add(new PromptPiece.Text(text.toString()));
        return out;
    }
}
