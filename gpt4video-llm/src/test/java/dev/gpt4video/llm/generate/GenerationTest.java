package dev.gpt4video.llm.generate;

import ai.djl.ndarray.NDManager;
import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.llm.Stories260k;
import dev.gpt4video.llm.llama.LlamaModel;
import dev.gpt4video.llm.llama.Segment;
import dev.gpt4video.llm.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Sampling, stops, logprobs and beam search on stories260k with {@link Generator}. */
class GenerationTest {
    private static final int[] PROMPT = {1, 403, 407, 261, 378}; // "Once upon a time"
    private static NDManager root;
    private static LlamaModel model;
    private static Tokenizer tokenizer;
    private static Generator generator;

    @BeforeAll
    static void load() {
        root = NDManager.newBaseManager("PyTorch");
        model = Stories260k.load(root);
        tokenizer = Tokenizer.load(Stories260k.dir());
        generator = new Generator(model, tokenizer);
    }

    @AfterAll
    static void release() {
        if (model != null) {
            model.close();
        }
        root.close();
    }

    private static GenerationRequest.Builder prompt() {
        return GenerationRequest.builder(PROMPT).maxTokens(24);
    }

    @Test
    void aSeedMakesSamplingRepeatable() {
        GenerationRequest r = prompt().temperature(1.0).topP(0.95).seed(42L).build();
        int[] first = generator.generate(r).tokenIds();
        assertThat(generator.generate(r).tokenIds()).containsExactly(first);
        boolean anyDiffers = false;
        for (long seed = 1; seed <= 3 && !anyDiffers; seed++) {
            anyDiffers = !java.util.Arrays.equals(first, generator.generate(prompt().temperature(1.0).seed(seed).build()).tokenIds());
        }
        assertThat(anyDiffers).as("other seeds give other samples").isTrue();
    }

    @Test
    void topKOfOneIsGreedy() {
        int[] greedy = generator.generate(prompt().temperature(0).build()).tokenIds();
        assertThat(generator.generate(prompt().temperature(1.3).topK(1).seed(7L).build()).tokenIds())
                .containsExactly(greedy);
    }

    @Test
    void logprobsComeFromTheDistributionAndListTheBestAlternatives() {
        GenerationResult r = generator.generate(prompt().temperature(0).logprobs(3).build());
        for (GeneratedToken t : r.tokens()) {
            assertThat(t.topLogprobs()).hasSize(3);
            assertThat(t.topLogprobs().get(0).id()).as("greedy picks the most likely").isEqualTo(t.id());
            assertThat(t.logprob()).isEqualTo(t.topLogprobs().get(0).logprob());
            assertThat(t.logprob()).isLessThanOrEqualTo(0f);
            assertThat(t.topLogprobs().get(1).logprob()).isLessThanOrEqualTo(t.topLogprobs().get(0).logprob());
        }
        GenerationResult none = generator.generate(prompt().temperature(0).build());
        assertThat(none.tokens().get(0).logprob()).isNaN();
        assertThat(none.tokens().get(0).topLogprobs()).isEmpty();
    }

    @Test
    void streamedTextAddsUpToTheResultText() {
        List<GeneratedToken> streamed = new ArrayList<>();
        GenerationResult r = generator.generate(prompt().temperature(0).build(), new TokenListener() {
            @Override
            public void onToken(GeneratedToken token) {
                streamed.add(token);
            }
        }, new Cancellation());
        assertThat(streamed).hasSize(r.tokenIds().length);
        assertThat(String.join("", streamed.stream().map(GeneratedToken::text).toList())).isEqualTo(r.text());
        assertThat(r.text()).isEqualTo(tokenizer.decode(r.tokenIds()));
    }

    @Test
    void aStopStringEndsGenerationAndIsNotEmitted() {
        String full = generator.generate(prompt().temperature(0).build()).text();
        // A stop string that starts mid-word, so it spans token boundaries.
        String stop = full.substring(14, 19);
        int cut = full.indexOf(stop);
        StringBuilder streamed = new StringBuilder();
        GenerationResult r = generator.generate(prompt().temperature(0).stopStrings(List.of(stop, "zzzz")).build(),
                new TokenListener() {
                    @Override
                    public void onToken(GeneratedToken token) {
                        streamed.append(token.text());
                    }
                }, new Cancellation());
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.text()).isEqualTo(full.substring(0, cut));
        assertThat(streamed.toString()).isEqualTo(r.text());
        assertThat(r.tokenIds().length).isLessThan(24);
    }

    @Test
    void aStopTokenIdEndsGenerationWithTheIdButNotItsText() {
        int[] greedy = generator.generate(prompt().temperature(0).build()).tokenIds();
        int stopId = greedy[5];
        GenerationResult r = generator.generate(prompt().temperature(0).stopTokenIds(Set.of(stopId)).build());
        int first = 0;
        while (greedy[first] != stopId) {
            first++;
        }
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.tokenIds()).containsExactly(java.util.Arrays.copyOf(greedy, first + 1));
        assertThat(r.text()).isEqualTo(tokenizer.decode(java.util.Arrays.copyOf(greedy, first)));
    }

    @Test
    void embeddingRowsGenerateLikeTheirTokens() {
        float[] table;
        try (Checkpoint ck = Checkpoint.open(Stories260k.dir())) {
            table = ck.floats("model.embed_tokens.weight");
        }
        int hidden = model.config().hiddenSize();
        float[] rows = new float[3 * hidden];
        for (int r = 0; r < 3; r++) {
            System.arraycopy(table, PROMPT[1 + r] * hidden, rows, r * hidden, hidden);
        }
        List<Segment> segments = List.of(Segment.tokens(PROMPT[0]), Segment.embeddings(rows, 3, hidden),
                Segment.tokens(PROMPT[4]));
        GenerationResult viaRows = generator.generate(GenerationRequest.builder(segments).maxTokens(24).temperature(0).build());
        GenerationResult viaIds = generator.generate(prompt().temperature(0).build());
        assertThat(viaRows.tokenIds()).containsExactly(viaIds.tokenIds());
        assertThat(viaRows.usage().promptTokens()).isEqualTo(PROMPT.length);
    }

    @Test
    void beamSearchOfWidthOneIsGreedy() {
        int[] greedy = generator.generate(prompt().temperature(0).build()).tokenIds();
        GenerationResult beam = generator.generate(prompt().beamWidth(1).temperature(0).build());
        assertThat(beam.tokenIds()).containsExactly(greedy);
        GenerationResult beamOne = generator.generate(prompt().beamWidth(1).build());
        assertThat(beamOne.tokenIds()).as("temperature 1 with one beam samples").hasSize(24);
    }

    @Test
    void beamSearchOfWidthThreeScoresAtLeastAsWellAsGreedy() {
        GenerationResult greedy = generator.generate(prompt().temperature(0).logprobs(0).build());
        double greedyScore = 0;
        for (GeneratedToken t : greedy.tokens()) {
            greedyScore += t.logprob();
        }
        greedyScore /= greedy.tokens().size(); // length_penalty 1
        GenerationResult beam = generator.generate(prompt().beamWidth(3).logprobs(0).build());
        assertThat(beam.score()).isGreaterThanOrEqualTo(greedyScore - 1e-6);
        double sum = 0;
        for (GeneratedToken t : beam.tokens()) {
            sum += t.logprob();
        }
        assertThat(beam.score()).as("the score is the mean logprob of its tokens")
                .isCloseTo(sum / beam.tokens().size(), within(1e-5));
        assertThat(beam.text()).isEqualTo(tokenizer.decode(beam.tokenIds()));
    }

    @Test
    void beamTokensReachAListenerAtTheEnd() {
        List<GeneratedToken> streamed = new ArrayList<>();
        GenerationResult r = generator.generate(prompt().beamWidth(2).build(), new TokenListener() {
            @Override
            public void onToken(GeneratedToken token) {
                streamed.add(token);
            }
        }, new Cancellation());
        assertThat(streamed.stream().mapToInt(GeneratedToken::id).toArray()).containsExactly(r.tokenIds());
    }

    @Test
    void cancellingEndsTheRequestAndFreesItsCache() {
        int before = root.getManagedArrays().size();
        Cancellation cancellation = new Cancellation();
        GenerationResult r = generator.generate(prompt().temperature(0).build(), new TokenListener() {
            @Override
            public void onToken(GeneratedToken token) {
                if (token.index() == 3) {
                    cancellation.cancel();
                }
            }
        }, cancellation);
        assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(r.tokenIds()).hasSize(4);
        assertThat(root.getManagedArrays()).hasSize(before);
    }
}
