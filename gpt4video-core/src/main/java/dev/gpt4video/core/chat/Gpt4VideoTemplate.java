package dev.gpt4video.core.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * The layout GPT4Video's released {@code prompt_wrap} builds and its LoRA was trained on:
 * {@code [Human:][video embeddings]} for each video, then BOS, then the system string and the
 * dialogue. There is no BOS at position 0 when a video is present.
 */
final class Gpt4VideoTemplate implements PromptTemplate {
    static final String SYSTEM = "The following is a conversation between a curious human and AI assistant GPT4Video. "
            + "GPT4Video generates video prompts at the most appropriate time and gives helpful, detailed, and polite "
            + "answers to the user's questions.";

    @Override
    public String name() {
        return "gpt4video";
    }

    @Override
    public String defaultSystemPrompt() {
        return SYSTEM;
    }

    @Override
    public List<String> stopStrings() {
        return List.of("\nHuman:");
    }

    @Override
    public List<PromptPiece> render(String systemPrompt, List<ChatMessage> messages) {
        List<PromptPiece> out = new ArrayList<>();
        StringBuilder dialogue = new StringBuilder(systemText(systemPrompt, messages)).append('\n');
        for (ChatMessage m : messages) {
            switch (m.role()) {
                case SYSTEM -> {
                }
                case USER -> {
                    for (int v : m.videos()) {
                        out.add(new PromptPiece.Text("Human:"));
                        out.add(new PromptPiece.Video(v));
                    }
                    String t = m.text();
                    if (!t.isEmpty()) {
                        dialogue.append("Human: ").append(t).append('\n');
                    }
                }
                case ASSISTANT -> dialogue.append("AI: ").append(m.text()).append('\n');
            }
        }
        dialogue.append("AI:");
        out.add(new PromptPiece.Bos());
        out.add(new PromptPiece.Text(dialogue.toString()));
        return out;
    }
}
