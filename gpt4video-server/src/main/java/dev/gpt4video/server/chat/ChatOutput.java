package dev.gpt4video.server.chat;

import dev.gpt4video.llm.generate.GeneratedToken;
import dev.gpt4video.server.videos.VideoObject;

import java.io.IOException;
import java.util.List;

/**
 * Where a turn's results go: an SSE stream, a WebSocket or a collected JSON response. Called from
 * the request's own thread only, in order. An {@link IOException} means the client is gone and
 * cancels the turn.
 */
public interface ChatOutput {
    /** Reply text that is final, with the tokens that completed it (for logprobs). */
    void text(String delta, List<GeneratedToken> tokens) throws IOException;

    /**
     * A generated video changed: {@code video.queued}, {@code video.started}, {@code video.progress},
     * {@code video.completed}, {@code video.failed} or {@code video.cancelled}.
     */
    void video(String event, VideoObject video) throws IOException;

    /** A safety stage refused; the refusal text also arrives through {@link #text}. */
    void refusal(String stage, String message, List<String> categories) throws IOException;

    /** Nothing to say yet (prompt processing, a video rendering): keep the connection alive. */
    void keepAlive() throws IOException;

    /** The turn is over. */
    void finished(ChatSummary summary) throws IOException;
}
