package dev.gpt4video.t2v.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;

/** Consumer groups of the job streams. */
final class RedisGroups {
    private RedisGroups() {
    }

    /**
     * Makes sure {@code group} exists on {@code stream} (creating the stream too). A new group starts
     * at the beginning of the stream, so jobs submitted before any worker came up are not skipped
     * (finished jobs are removed from the stream, so nothing runs twice).
     */
    static void ensure(RedisCommands<String, String> redis, String stream, String group) {
        try {
            redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), group, XGroupCreateArgs.Builder.mkstream());
        } catch (RedisCommandExecutionException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
                throw e;
            }
        }
    }
}
