package dev.gpt4video.server.serving;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Continuous-batching settings ({@code gpt4video.llm.*}).
 *
 * @param maxBatchSize   sequences decoded together in one step
 * @param maxWaiting     requests that may wait for admission before {@code queue_full} (429)
 * @param kvTokenBudget  KV-cache positions all running sequences may hold (0: 8 full contexts)
 * @param cacheEntries   encoded videos kept in the embedding cache
 * @param cacheBytes     bytes of embeddings kept in the cache
 */
@ConfigurationProperties("gpt4video.llm")
public record LlmProperties(@DefaultValue("8") int maxBatchSize, @DefaultValue("64") int maxWaiting,
                            @DefaultValue("0") long kvTokenBudget, @DefaultValue("256") int cacheEntries,
                            @DefaultValue("536870912") long cacheBytes) {
}
