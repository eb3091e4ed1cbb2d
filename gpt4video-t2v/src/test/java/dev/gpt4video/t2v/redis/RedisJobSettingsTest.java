package dev.gpt4video.t2v.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisJobSettingsTest {

    @Test
    void defaultsAreValidAndBadValuesFailWithTheFieldName() {
        RedisJobSettings d = RedisJobSettings.defaults();
        assertThat(d.keyPrefix()).isEqualTo("gpt4video:t2v");
        assertThat(d.heartbeatInterval()).isLessThan(d.claimIdleTimeout());

        assertThatThrownBy(() -> d.withTiming(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .hasMessageStartingWith("heartbeatInterval:");
        assertThatThrownBy(() -> d.withTiming(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(1)))
                .hasMessageStartingWith("pollInterval:");
        assertThatThrownBy(() -> d.withKeyPrefix("has space")).hasMessageStartingWith("keyPrefix:");
        assertThatThrownBy(() -> d.withMaxDeliveries(0)).hasMessageStartingWith("maxDeliveries:");
        assertThatThrownBy(() -> d.withQueueCapacity(-1)).hasMessageStartingWith("queueCapacity:");
    }

    @Test
    void theKeyLayoutIsThePrefixFollowedByTheDocumentedNames() {
        RedisKeys keys = new RedisKeys("p");
        assertThat(keys.forJob("video_0", "zeroscope-v2")).containsExactly("p:job:video_0", "p:jobs:zeroscope-v2",
                "p:queue:zeroscope-v2", "p:events", "p:index", "p:finished", "p:bytes", "p:seq");
        assertThat(keys.backends()).isEqualTo("p:backends");
    }
}
