package dev.gpt4video.llm.llama;

import ai.djl.ndarray.NDManager;
import dev.gpt4video.llm.Stories260k;
import dev.gpt4video.llm.generate.BatchScheduler;
import dev.gpt4video.llm.generate.FinishReason;
import dev.gpt4video.llm.generate.GenerationHandle;
import dev.gpt4video.llm.generate.GenerationRequest;
import dev.gpt4video.llm.generate.GenerationResult;
import dev.gpt4video.llm.generate.Generator;
import dev.gpt4video.llm.generate.SchedulerOptions;
import dev.gpt4video.llm.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Goldens from llama2.c run.c (greedy, -t 0.0) on the real stories260K model; logits within 1e-4. */
class Stories260kParityTest {
    private static final float LOGIT_TOLERANCE = 1e-4f;
    private static NDManager root;

    @BeforeAll
    static void engine() {
        root = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void release() {
        root.close();
    }

    private static GenerationRequest greedy(Stories260k.Golden g) {
        return GenerationRequest.builder(g.promptIds()).temperature(0).maxTokens(g.generatedIds().length).build();
    }

    @Test
    void firstStepLogitsMatchRunC() {
        List<Stories260k.Golden> goldens = Stories260k.goldens();
        try (LlamaModel model = Stories260k.load(root)) {
            for (Stories260k.Golden g : goldens) {
                try (KvCache cache = model.newCache(g.promptIds().length)) {
                    float[] logits = model.prefill(cache, List.of(Segment.tokens(g.promptIds())));
                    float maxDiff = 0;
                    for (int i = 0; i < logits.length; i++) {
                        maxDiff = Math.max(maxDiff, Math.abs(logits[i] - g.firstStepLogits()[i]));
                    }
                    assertThat(maxDiff).as("max |logit - run.c| for %s", g.prompt()).isLessThan(LOGIT_TOLERANCE);
                }
            }
        }
    }

    @Test
    void greedyGenerationMatchesRunC() {
        List<Stories260k.Golden> goldens = Stories260k.goldens();
        Tokenizer tokenizer = Tokenizer.load(Stories260k.dir());
        try (LlamaModel model = Stories260k.load(root)) {
            Generator generator = new Generator(model, tokenizer);
            for (Stories260k.Golden g : goldens) {
                GenerationResult r = generator.generate(greedy(g));
                assertThat(r.tokenIds()).as(g.prompt()).containsExactly(g.generatedIds());
                assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
                assertThat(r.usage().promptTokens()).isEqualTo(g.promptIds().length);
                assertThat(r.usage().completionTokens()).isEqualTo(64);
                assertThat(r.text()).isEqualTo(tokenizer.decode(g.generatedIds()));
            }
        }
    }

    @Test
    void allPromptsBatchedTogetherMatchUnbatched() {
        List<Stories260k.Golden> goldens = Stories260k.goldens();
        try (LlamaModel model = Stories260k.load(root);
             BatchScheduler scheduler = new BatchScheduler(model, null,
                     SchedulerOptions.defaults(model.config()).withMaxBatchSize(goldens.size()))) {
            List<GenerationHandle> handles = new ArrayList<>();
            for (Stories260k.Golden g : goldens) {
                handles.add(scheduler.submit(greedy(g)));
            }
            for (int i = 0; i < goldens.size(); i++) {
                assertThat(handles.get(i).await().tokenIds()).as(goldens.get(i).prompt())
                        .containsExactly(goldens.get(i).generatedIds());
            }
            assertThat(scheduler.stats().kvTokensUsed()).isZero();
            assertThat(scheduler.stats().completed()).isEqualTo(goldens.size());
        }
    }
}
