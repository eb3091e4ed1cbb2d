package dev.gpt4video.llm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.Cancellation;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.runtime.RuntimeOptions;
import dev.gpt4video.llm.generate.BatchScheduler;
import dev.gpt4video.llm.generate.GeneratedToken;
import dev.gpt4video.llm.generate.GenerationHandle;
import dev.gpt4video.llm.generate.GenerationRequest;
import dev.gpt4video.llm.generate.Generator;
import dev.gpt4video.llm.generate.SchedulerOptions;
import dev.gpt4video.llm.generate.TokenListener;
import dev.gpt4video.llm.llama.KvCache;
import dev.gpt4video.llm.llama.LlamaConfig;
import dev.gpt4video.llm.llama.LlamaModel;
import dev.gpt4video.llm.llama.LlamaWeights;
import dev.gpt4video.llm.llama.Segment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * LLM throughput on a random model shaped like llama2.c's stories110M (dim 768, 12 layers, 12
 * heads, vocab 32000, 1024 positions): prefill tokens/s, single-stream decode tokens/s, aggregate
 * decode tokens/s through {@link BatchScheduler} at several concurrent stream counts, and time to
 * first token. Weights are written with {@code SafetensorsWriter} to a temporary directory and
 * loaded the normal way. Prints figures; asserts nothing.
 *
 * <p>Usage: {@code LlmBenchmark [maxTokens=128] [streams=1,4,8,16]}; the intra-op thread count is
 * DJL's {@code -Dai.djl.pytorch.num_threads}.
 */
public final class LlmBenchmark {
    private static final int PROMPT_TOKENS = 16;

    private LlmBenchmark() {
    }

    /** stories110M's shape (intermediate 2048 as llama2.c rounds 4 * 768 * 2/3 to a multiple of 32). */
    public static LlamaConfig stories110m() {
        return new LlamaConfig(32000, 768, 2048, 12, 12, 12, 64, 1024, 1e-5, 10000.0, null, false, 1, List.of(2),
                "bench/stories110M-shaped");
    }

    public static void main(String[] args) throws IOException {
        int maxTokens = args.length > 0 ? Integer.parseInt(args[0]) : 128;
        int[] streams = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 4, 8, 16};
        LlamaConfig config = stories110m();
        Path dir = Files.createTempDirectory("llm-bench");
        try {
            long t0 = System.nanoTime();
            new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), config.toHuggingFace());
            LlamaWeights.random(config, new Random(1), 0.02f).write(dir.resolve("model.safetensors"));
            System.out.printf("wrote random stories110M-shaped weights (%.0f MiB) in %.1f s%n",
                    Files.size(dir.resolve("model.safetensors")) / 1048576.0, seconds(t0));
            try (InferenceRuntime runtime = InferenceRuntime.create(RuntimeOptions.defaults())) {
                t0 = System.nanoTime();
                try (LlamaModel model = LlamaModel.load(dir, runtime)) {
                    System.out.printf("loaded in %.1f s on %s, %s, intra-op threads %s%n", seconds(t0), runtime.device(),
                            runtime.dataType(), System.getProperty("ai.djl.pytorch.num_threads", "DJL default"));
                    run(model, maxTokens, streams);
                }
            }
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void run(LlamaModel model, int maxTokens, int[] streams) {
        Random random = new Random(2);
        // Warm-up: first calls pay for kernel selection and allocator growth.
        new Generator(model, null).generate(request(random, 8));

        for (int length : new int[] {128, 512}) {
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                try (KvCache cache = model.newCache(length)) {
                    List<Segment> prompt = List.of(Segment.tokens(randomIds(random, length)));
                    long t0 = System.nanoTime();
                    model.prefill(cache, prompt);
                    best = Math.min(best, seconds(t0));
                }
            }
            System.out.printf("prefill %4d tokens: %7.1f tokens/s (best of 3)%n", length, length / best);
        }

        Timing single = timeStreams(model, 1, maxTokens, random, false);
        System.out.printf("single stream (Generator, no scheduler): decode %.1f tokens/s, time to first token %.0f ms%n",
                single.decodeRate(), single.meanFirstTokenMs());
        double oneStream = 0;
        for (int n : streams) {
            Timing t = timeStreams(model, n, maxTokens, random, true);
            if (n == 1) {
                oneStream = t.aggregateRate();
            }
            System.out.printf("%2d concurrent streams (BatchScheduler): aggregate %7.1f tokens/s (decode phase %7.1f),"
                            + " per stream %5.1f tokens/s, time to first token mean %5.0f ms / max %5.0f ms%s%n",
                    n, t.aggregateRate(), t.decodeRate(), t.aggregateRate() / n, t.meanFirstTokenMs(), t.maxFirstTokenMs(),
                    oneStream > 0 && n > 1 ? String.format(", %.1fx one stream", t.aggregateRate() / oneStream) : "");
        }
    }

    /**
     * @param aggregateRate every generated token over the wall time from submission to the last completion
     * @param decodeRate tokens generated after the last stream's first token over the time that took
     *     (single stream: after its first token)
     */
    private record Timing(double aggregateRate, double decodeRate, double meanFirstTokenMs, double maxFirstTokenMs) {
    }

    private static Timing timeStreams(LlamaModel model, int n, int maxTokens, Random random, boolean scheduled) {
        long[][] times = new long[n][maxTokens];
        int[] counts = new int[n];
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(request(random, maxTokens));
        }
        long start = System.nanoTime();
        if (scheduled) {
            SchedulerOptions options = SchedulerOptions.defaults(model.config()).withMaxBatchSize(n)
                    .withKvTokenBudget((long) n * model.config().maxPositionEmbeddings());
            try (BatchScheduler scheduler = new BatchScheduler(model, null, options)) {
                List<GenerationHandle> handles = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    handles.add(scheduler.submit(requests.get(i), recorder(times[i], counts, i)));
                }
                handles.forEach(GenerationHandle::await);
            }
        } else {
            Generator generator = new Generator(model, null);
            for (int i = 0; i < n; i++) {
                generator.generate(requests.get(i), recorder(times[i], counts, i), new Cancellation());
            }
        }
        long end = start;
        long lastFirst = start;
        double firstSum = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            end = Math.max(end, times[i][counts[i] - 1]);
            lastFirst = Math.max(lastFirst, times[i][0]);
            firstSum += (times[i][0] - start) / 1e6;
            total += counts[i];
        }
        // Decode phase: once every stream has its first token, only batched decode steps remain.
        long decoded = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < counts[i]; j++) {
                if (times[i][j] > lastFirst) {
                    decoded++;
                }
            }
        }
        return new Timing(total / ((end - start) / 1e9), decoded / ((end - lastFirst) / 1e9), firstSum / n,
                (lastFirst - start) / 1e6);
    }

    private static TokenListener recorder(long[] times, int[] counts, int stream) {
        return new TokenListener() {
            @Override
            public void onToken(GeneratedToken token) {
                times[token.index()] = System.nanoTime();
                counts[stream]++;
            }
        };
    }

    private static GenerationRequest request(Random random, int maxTokens) {
        return GenerationRequest.builder(randomIds(random, PROMPT_TOKENS)).maxTokens(maxTokens).temperature(0)
                .ignoreEos(true).build();
    }

    private static int[] randomIds(Random random, int n) {
        int[] ids = new int[n];
        ids[0] = 1;
        for (int i = 1; i < n; i++) {
            ids[i] = 3 + random.nextInt(31997);
        }
        return ids;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
