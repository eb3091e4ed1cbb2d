package dev.gpt4video.core.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * The upstream mPLUG-Owl video prompt: BOS, a system preamble, {@code Human: <|video|>} lines
 * (each replaced by the video's embeddings), {@code Human: …} and {@code AI: …} lines, ending with
 * {@code AI: }. Text between videos is tokenized chunk by chunk, as the reference
 * {@code _tokenize_prompt} does, so every chunk gets its own dummy-prefix space.
 */
final class MplugOwlVideoTemplate implements PromptTemplate {
    static final String PREAMBLE = "The following is a conversation between a curious human and AI assistant. "
            + "The assistant gives helpful, detailed, and polite answers to the user's questions.";

    @Override
    public String name() {
        return "mplug-owl-video";
    }

    @Override
    public String defaultSystemPrompt() {
        return PREAMBLE;
    }

    @Override
    public List<String> stopStrings() {
        return List.of("\nHuman:");
    }

    @Override
    public List<PromptPiece> render(String systemPrompt, List<ChatMessage> messages) {
        List<PromptPiece> out = new ArrayList<>();
        out.add(new PromptPiece.Bos());
        StringBuilder text = new StringBuilder(systemText(systemPrompt, messages)).append('\n');
        for (ChatMessage m : messages) {
            switch (m.role()) {
                case SYSTEM -> {
                }
                case USER -> {
                    for (ContentPart p : m.content()) {
                        if (p instanceof ContentPart.Video v) {
                            text.append("Human: ");
                            out.add(new PromptPiece.Text(text.toString()));
                            out.add(new PromptPiece.Video(v.index()));
                            text.setLength(0);
                            text.append('\n');
                        } else if (p instanceof ContentPart.Text t) {
                            text.append("Human: ").append(t.text()).append('\n');
                        }
                    }
                }
                case ASSISTANT -> text.append("AI: ").append(m.text()).append('\n');
            }
        }
        text.append("AI: ");
        out.add(new PromptPiece.Text(text.toString()));
        return out;
    }
}
