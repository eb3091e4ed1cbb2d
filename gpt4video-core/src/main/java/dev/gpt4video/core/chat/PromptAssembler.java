package dev.gpt4video.core.chat;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a conversation into model input within a token budget. When the history is too long the
 * oldest exchanges are dropped first; a video the latest question needs is never dropped — its
 * message is reduced to the video alone instead.
 *
 * <pre>{@code
 * AssembledPrompt p = new PromptAssembler(PromptTemplate.named("mplug-owl-video"), encoder, 65)
 *         .assemble(null, messages, contextLength - maxNewTokens);
 * }</pre>
 */
public final class PromptAssembler {
    private static final Pattern VIDEO_REF = Pattern.compile("<video(\\d+)>");

    private final PromptTemplate template;
    private final TextEncoder encoder;
    private final int tokensPerVideo;

    public PromptAssembler(PromptTemplate template, TextEncoder encoder, int tokensPerVideo) {
        this.template = template;
        this.encoder = encoder;
        this.tokensPerVideo = tokensPerVideo;
    }

    public PromptTemplate template() {
        return template;
    }

    public AssembledPrompt assemble(String systemPrompt, List<ChatMessage> messages, int maxPromptTokens) {
        if (messages.stream().noneMatch(m -> m.role() == Role.USER)) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "messages: at least one user message is required");
        }
        Set<Integer> needed = videosNeeded(messages);
        List<ChatMessage> kept = new ArrayList<>(messages);
        Set<ChatMessage> stubs = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        int dropped = 0;
        while (true) {
            AssembledPrompt p = build(systemPrompt, kept, dropped);
            if (p.promptTokens() <= maxPromptTokens) {
                return p;
            }
            int first = firstDroppable(kept, stubs);
            if (first < 0) {
                throw new Gpt4VideoException(ErrorCode.CONTEXT_LENGTH_EXCEEDED, "the prompt needs " + p.promptTokens()
                        + " tokens but only " + maxPromptTokens + " fit in the context after reserving room for the reply");
            }
            // Drop one exchange: the message and its replies up to the next user message, keeping
            // only the videos the latest question needs.
            int end = first + 1;
            while (end < kept.size() && kept.get(end).role() == Role.ASSISTANT) {
                end++;
            }
            List<ChatMessage> replacement = new ArrayList<>();
            for (ChatMessage m : kept.subList(first, end)) {
                List<ContentPart> keep = m.content().stream()
                        .filter(c -> c instanceof ContentPart.Video v && needed.contains(v.index())).toList();
                if (!keep.isEmpty()) {
                    ChatMessage stub = new ChatMessage(Role.USER, keep);
                    stubs.add(stub);
                    replacement.add(stub);
                }
            }
            dropped += end - first;
            kept.subList(first, end).clear();
            kept.addAll(first, replacement);
        }
    }

    /** The oldest message that may go: before the latest question, not a system message, not a kept video. */
    private static int firstDroppable(List<ChatMessage> kept, Set<ChatMessage> stubs) {
        int lastUser = lastUser(kept);
        for (int i = 0; i < lastUser; i++) {
            ChatMessage m = kept.get(i);
            if (m.role() != Role.SYSTEM && !stubs.contains(m)) {
                return i;
            }
        }
        return -1;
    }

    private static int lastUser(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.USER) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Videos the latest question needs: those attached to it, those it names as {@code <videoN>},
     * and, when it names none, the most recent video of the conversation ("what happens next?").
     */
    static Set<Integer> videosNeeded(List<ChatMessage> messages) {
        ChatMessage last = messages.get(lastUser(messages));
        Set<Integer> needed = new LinkedHashSet<>(last.videos());
        Matcher m = VIDEO_REF.matcher(last.text());
        while (m.find()) {
            needed.add(Integer.parseInt(m.group(1)));
        }
        if (needed.isEmpty()) {
            for (int i = messages.size() - 1; i >= 0 && needed.isEmpty(); i--) {
                List<Integer> v = messages.get(i).videos();
                if (!v.isEmpty()) {
                    needed.add(v.get(v.size() - 1));
                }
            }
        }
        return needed;
    }

    private AssembledPrompt build(String systemPrompt, List<ChatMessage> messages, int dropped) {
        List<PromptSegment> segments = new ArrayList<>();
        List<Integer> videos = new ArrayList<>();
        List<Integer> pending = new ArrayList<>();
        int tokens = 0;
        for (PromptPiece piece : template.render(systemPrompt, messages)) {
            switch (piece) {
                case PromptPiece.Bos b -> pending.add(encoder.bosId());
                case PromptPiece.Text t -> {
                    for (int id : encoder.encode(t.text())) {
                        pending.add(id);
                    }
                }
                case PromptPiece.Video v -> {
                    tokens += flush(pending, segments);
                    segments.add(new PromptSegment.Video(v.index()));
                    videos.add(v.index());
                    tokens += tokensPerVideo;
                }
            }
        }
        tokens += flush(pending, segments);
        return new AssembledPrompt(segments, tokens, dropped, videos);
    }

    private static int flush(List<Integer> pending, List<PromptSegment> segments) {
        if (pending.isEmpty()) {
            return 0;
        }
        int n = pending.size();
        segments.add(new PromptSegment.Tokens(pending.stream().mapToInt(Integer::intValue).toArray()));
        pending.clear();
        return n;
    }
}
