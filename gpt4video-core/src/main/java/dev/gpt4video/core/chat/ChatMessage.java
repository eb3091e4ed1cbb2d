package dev.gpt4video.core.chat;

import java.util.List;

/** A message of a conversation; videos appear as {@link ContentPart.Video} parts in user messages. */
public record ChatMessage(Role role, List<ContentPart> content) {
    public ChatMessage {
        content = List.copyOf(content);
    }

    public static ChatMessage text(Role role, String text) {
        return new ChatMessage(role, List.of(new ContentPart.Text(text)));
    }

    /** The message's text parts joined with newlines. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (ContentPart p : content) {
            if (p instanceof ContentPart.Text t) {
                if (!sb.isEmpty()) {
                    sb.append('\n');
                }
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    public List<Integer> videos() {
        return content.stream().filter(p -> p instanceof ContentPart.Video)
                .map(p -> ((ContentPart.Video) p).index()).toList();
    }
}
