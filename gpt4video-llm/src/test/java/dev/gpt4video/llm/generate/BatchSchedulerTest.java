package dev.gpt4video.llm.generate;

import ai.djl.ndarray.NDManager;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.llm.Stories260k;
import dev.gpt4video.llm.llama.LlamaModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Admission, budgets, cancellation and failure isolation of the batch scheduler on stories260k. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BatchSchedulerTest {
    private static final int[] PROMPT = {1, 403, 407, 261, 378};
    private static NDManager root;
    private static LlamaModel model;

    @BeforeAll
    static void load() {
        root = NDManager.newBaseManager("PyTorch");
        model = Stories260k.load(root);
    }

    @AfterAll
    static void release() {
        if (model != null) {
            model.close();
        }
        root.close();
    }

    private static GenerationRequest greedy(int maxTokens) {
        return GenerationRequest.builder(PROMPT).temperature(0).maxTokens(maxTokens).build();
    }

    private final java.util.List<Gate> gates = new java.util.ArrayList<>();

    /** Closed before the scheduler, so a failed assertion cannot leave its loop parked in a gate. */
    private interface OpenGates extends AutoCloseable {
        @Override
        void close();
    }

    /** A failed assertion must not leave the loop thread parked in a gate. */
    @AfterEach
    void openGates() {
        gates.forEach(Gate::release);
    }

    private static BatchScheduler scheduler(int batch, int waiting, long budget) {
        return new BatchScheduler(model, null, new SchedulerOptions(batch, waiting, budget, "test"));
    }

    private Gate gate(int index, Runnable then) {
        Gate g = new Gate(index, then);
        gates.add(g);
        return g;
    }

    /** Blocks the loop thread in onToken at {@code index} until {@link #release} is called. */
    private static final class Gate implements TokenListener {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch released = new CountDownLatch(1);
        private final int index;
        private final Runnable then;

        Gate(int index, Runnable then) {
            this.index = index;
            this.then = then;
        }

        @Override
        public void onToken(GeneratedToken token) {
            if (token.index() == index) {
                reached.countDown();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                then.run();
            }
        }

        void awaitReached() throws InterruptedException {
            reached.await();
        }

        void release() {
            released.countDown();
        }
    }

    @Test
    void cancellingARunningRequestFreesItsCacheAndSparesTheOthers() throws InterruptedException {
        int live = root.getManagedArrays().size();
        int[] alone = new Generator(model, null).generate(greedy(40)).tokenIds();
        try (BatchScheduler s = scheduler(4, 8, 4096); OpenGates ignored = this::openGates) {
            GenerationHandle[] victim = new GenerationHandle[1];
            Gate gate = gate(4, () -> victim[0].cancel());
            GenerationHandle other = s.submit(greedy(40));
            victim[0] = s.submit(greedy(400), gate);
            gate.release();
            GenerationResult cancelled = victim[0].await();
            assertThat(cancelled.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(cancelled.tokenIds()).hasSize(5);
            assertThat(other.await().tokenIds()).containsExactly(alone);
            assertThat(s.stats().kvTokensUsed()).isZero();
            assertThat(s.stats().cancelled()).isEqualTo(1);
            assertThat(root.getManagedArrays()).as("no KV cache left behind").hasSize(live);
        }
    }

    @Test
    void aWaitingRequestLeavesTheQueueAtOnceWhenCancelled() throws InterruptedException {
        try (BatchScheduler s = scheduler(1, 8, 4096); OpenGates ignored = this::openGates) {
            Gate gate = gate(0, () -> { });
            GenerationHandle running = s.submit(greedy(8), gate);
            gate.awaitReached();
            GenerationHandle waiting = s.submit(greedy(8));
            assertThat(s.stats().waiting()).isEqualTo(1);
            waiting.cancel();
            assertThat(waiting.isDone()).isTrue();
            assertThat(waiting.await().finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(waiting.await().tokenIds()).isEmpty();
            assertThat(s.stats().waiting()).isZero();
            gate.release();
            assertThat(running.await().finishReason()).isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void aFullQueueRefusesAtOnce() throws InterruptedException {
        try (BatchScheduler s = scheduler(1, 1, 4096); OpenGates ignored = this::openGates) {
            Gate gate = gate(0, () -> { });
            GenerationHandle running = s.submit(greedy(4), gate);
            gate.awaitReached();
            GenerationHandle queued = s.submit(greedy(4));
            assertThatThrownBy(() -> s.submit(greedy(4))).isInstanceOfSatisfying(Gpt4VideoException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.QUEUE_FULL));
            gate.release();
            running.await();
            assertThat(queued.await().tokenIds()).hasSize(4);
        }
    }

    @Test
    void requestsWaitForKvRoomAndOnesThatCanNeverFitAreRefused() throws InterruptedException {
        try (BatchScheduler s = scheduler(4, 8, 100); OpenGates ignored = this::openGates) {
            assertThatThrownBy(() -> s.submit(greedy(200))).isInstanceOfSatisfying(Gpt4VideoException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.CONTEXT_LENGTH_EXCEEDED));
            assertThatThrownBy(() -> s.submit(greedy(508))).isInstanceOfSatisfying(Gpt4VideoException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CONTEXT_LENGTH_EXCEEDED);
                assertThat(e.getMessage()).contains("512");
            });
            Gate gate = gate(0, () -> { });
            GenerationHandle first = s.submit(greedy(60), gate);
            gate.awaitReached();
            GenerationHandle second = s.submit(greedy(60));
            SchedulerStats stats = s.stats();
            assertThat(stats.running()).isEqualTo(1);
            assertThat(stats.waiting()).as("65 + 65 positions exceed the budget of 100").isEqualTo(1);
            assertThat(stats.kvTokensUsed()).isEqualTo(65);
            assertThat(stats.kvTokensLimit()).isEqualTo(100);
            gate.release();
            assertThat(first.await().tokenIds()).hasSize(60);
            assertThat(second.await().tokenIds()).hasSize(60);
            assertThat(s.stats().kvTokensUsed()).isZero();
        }
    }

    @Test
    void aFailingRequestFailsAloneAndTheLoopGoesOn() {
        int[] alone = new Generator(model, null).generate(greedy(30)).tokenIds();
        try (BatchScheduler s = scheduler(4, 8, 4096); OpenGates ignored = this::openGates) {
            GenerationHandle bad = s.submit(greedy(30), new TokenListener() {
                @Override
                public void onToken(GeneratedToken token) {
                    if (token.index() == 2) {
                        throw new IllegalStateException("client went away");
                    }
                }
            });
            GenerationHandle good = s.submit(greedy(30));
            assertThatThrownBy(bad::await).isInstanceOfSatisfying(Gpt4VideoException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.GENERATION_FAILED);
                assertThat(e.getMessage()).contains("client went away");
            });
            assertThat(good.await().tokenIds()).containsExactly(alone);
            assertThat(s.generate(greedy(30)).tokenIds()).containsExactly(alone);
            assertThat(s.stats().failed()).isEqualTo(1);
            assertThat(s.stats().kvTokensUsed()).isZero();
        }
    }

    @Test
    void beamRequestsShareTheBatchWithSampledOnes() {
        Generator generator = new Generator(model, null);
        GenerationRequest beams = GenerationRequest.builder(PROMPT).beamWidth(3).maxTokens(20).build();
        GenerationResult expected = generator.generate(beams);
        int[] greedy = generator.generate(greedy(20)).tokenIds();
        try (BatchScheduler s = scheduler(4, 8, 4096); OpenGates ignored = this::openGates) {
            GenerationHandle b = s.submit(beams);
            GenerationHandle g = s.submit(greedy(20));
            assertThat(b.await().tokenIds()).containsExactly(expected.tokenIds());
            // Batch composition changes BLAS blocking, so scores agree to rounding, not bit for bit.
            assertThat(b.await().score()).isCloseTo(expected.score(), org.assertj.core.api.Assertions.within(1e-5));
            assertThat(g.await().tokenIds()).containsExactly(greedy);
            assertThatThrownBy(() -> s.submit(GenerationRequest.builder(PROMPT).beamWidth(5).build()))
                    .isInstanceOfSatisfying(Gpt4VideoException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        }
    }

    @Test
    void closingCancelsWhatIsLeft() throws InterruptedException {
        BatchScheduler s = scheduler(1, 8, 4096);
        Gate gate = gate(0, () -> { });
        GenerationHandle running = s.submit(greedy(300), gate);
        gate.awaitReached();
        GenerationHandle waiting = s.submit(greedy(10));
        Thread closer = new Thread(s::close);
        closer.start();
        gate.release();
        closer.join();
        assertThat(running.await().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(waiting.await().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThatThrownBy(() -> s.submit(greedy(4))).isInstanceOfSatisfying(Gpt4VideoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_READY));
    }
}
