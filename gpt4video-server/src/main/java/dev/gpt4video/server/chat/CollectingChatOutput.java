package dev.gpt4video.server.chat;

import dev.gpt4video.llm.generate.GeneratedToken;
import dev.gpt4video.server.videos.VideoObject;

import java.util.ArrayList;
import java.util.List;

/** Gathers a turn for a non-streaming response. */
final class CollectingChatOutput implements ChatOutput {
    final List<GeneratedToken> tokens = new ArrayList<>();
    ChatSummary summary;

    @Override
    public void text(String delta, List<GeneratedToken> t) {
        tokens.addAll(t);
    }

    @Override
    public void video(String event, VideoObject video) {
    }

    @Override
    public void refusal(String stage, String message, List<String> categories) {
    }

    @Override
    public void keepAlive() {
    }

    @Override
    public void finished(ChatSummary s) {
        summary = s;
    }
}
