package dev.gpt4video.server;

import dev.gpt4video.t2v.jobs.JobState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The model's meters are in the scrape as soon as the server is ready, before any traffic needs them. */
class ServingMetersTest extends RunningServerTest {

    @Test
    void queueDepthAndJobCountersAreScrapedPerBackend() {
        awaitReady();
        String scrape = get("/actuator/prometheus").body();

        assertThat(scrape).containsPattern("(?m)^gpt4video_t2v_queue_depth\\{backend=\"placeholder\"} \\d+\\.\\d+$");
        for (JobState state : JobState.values()) {
            assertThat(scrape).containsPattern("(?m)^gpt4video_t2v_jobs_total\\{backend=\"placeholder\",state=\""
                    + state.wireName() + "\"} \\d+\\.\\d+$");
        }
    }
}
