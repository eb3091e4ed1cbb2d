package dev.gpt4video.server.chat;

import dev.gpt4video.server.videos.VideoObject;

import java.util.List;

/**
 * How a turn ended.
 *
 * @param finishReason {@code stop}, {@code length} or {@code cancelled}
 * @param content      the reply text exactly as streamed
 * @param refusal      the refusal text when a safety stage refused, else null
 * @param videos       the videos the reply started, in their latest state
 */
public record ChatSummary(String id, String finishReason, String content, String refusal, int promptTokens,
                          int completionTokens, List<VideoObject> videos) {
}
