package dev.gpt4video.llm.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.WeightLoader;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.llm.lora.LoraAdapter;
import dev.gpt4video.llm.lora.LoraMerge;
import dev.gpt4video.llm.nn.CausalAttention;
import dev.gpt4video.llm.nn.RmsNorm;
import dev.gpt4video.llm.nn.RotaryEmbedding;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hugging Face {@code LlamaForCausalLM} run with DJL: RMSNorm in float32, rotate-half RoPE (with
 * linear scaling), grouped-query attention with a per-sequence {@link KvCache}, SwiGLU MLP.
 * Compute runs in the dtype the model was loaded with (float32 on CPU, float16 on GPU); softmax and
 * norm statistics run in float32; logits come back as float32 on the heap, where sampling happens.
 *
 * <p>{@link #decode} runs one step for many sequences at once: projections, MLP and the LM head are
 * one matmul over the batch (the weights are read once per step, which is what makes many streams
 * cheaper than one each); attention loops over the sequences because their lengths differ.
 *
 * <pre>{@code
 * try (LlamaModel model = LlamaModel.load(dir, runtime);
 *      KvCache cache = model.newCache(256)) {
 *     float[] logits = model.prefill(cache, List.of(Segment.tokens(1, 403, 407)));
 *     float[][] next = model.decode(List.of(cache), new int[] {argmax(logits)});
 * }
 * }</pre>
 *
 * <p>Immutable once loaded; forward passes on different caches may run on different threads.
 */
public final class LlamaModel implements AutoCloseable {
    /** Prompt rows processed per forward pass during prefill; bounds the attention score memory. */
    public static final int PREFILL_CHUNK = 512;

    /**
     * How to read a checkpoint.
     *
     * @param prefix tensor-name prefix of the language model; null detects {@code language_model.}
     *     (mPLUG-Owl) or none
     * @param mode strict (every tensor must be used) or lenient (leftovers are logged)
     * @param name the base model's name for adapter checks; null uses the config's {@code _name_or_path}
     */
    public record LoadOptions(String prefix, WeightLoader.Mode mode, String name) {
        public LoadOptions {
            mode = mode == null ? WeightLoader.Mode.STRICT : mode;
        }

        public static LoadOptions defaults() {
            return new LoadOptions(null, WeightLoader.Mode.STRICT, null);
        }
    }

    private final LlamaConfig config;
    private final DataType dataType;
    private final NDManager manager;
    private final LlamaWeights weights;
    private final RotaryEmbedding rope;
    private final NDArray rotateHalf;
    private final float eps;
    private final float queryScale;
    private final String name;
    private final String adapterName;
    private final LlamaModel base;
    private final Set<LlamaModel> views = Collections.newSetFromMap(new IdentityHashMap<>());
    private volatile boolean closed;

    private LlamaModel(LlamaConfig config, DataType dataType, NDManager manager, LlamaWeights weights,
                       String name, String adapterName, RotaryEmbedding rope, LlamaModel base) {
        this.base = base;
        this.config = config;
        this.dataType = dataType;
        this.manager = manager;
        this.weights = weights;
        this.name = name;
        this.adapterName = adapterName;
        this.rope = rope;
        this.rotateHalf = rope.rotateHalfMatrix(manager, dataType);
        this.eps = (float) config.rmsNormEps();
        this.queryScale = (float) (1.0 / Math.sqrt(config.headDim()));
    }

    /** Loads {@code config.json} and the safetensors in {@code dir} with the runtime's device and dtype. */
    public static LlamaModel load(Path dir, InferenceRuntime runtime) {
        LlamaConfig config = LlamaConfig.read(dir.resolve("config.json"));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            return create(config, checkpoint, runtime.newModelManager(String.valueOf(dir.getFileName())),
                    runtime.dataType(), LoadOptions.defaults());
        }
    }

    /** Loads {@code config.json} and the safetensors in {@code dir} under a sub-manager of {@code parent}. */
    public static LlamaModel load(Path dir, NDManager parent, DataType dataType, LoadOptions options) {
        LlamaConfig config = LlamaConfig.read(dir.resolve("config.json"));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            return load(config, checkpoint, parent, dataType, options);
        }
    }

    /**
     * Loads from an open checkpoint (which may hold other components too, under other prefixes),
     * under a sub-manager of {@code parent}.
     */
    public static LlamaModel load(LlamaConfig config, Checkpoint checkpoint, NDManager parent, DataType dataType,
                                  LoadOptions options) {
        NDManager m = parent.newSubManager();
        m.setName("llama");
        return create(config, checkpoint, m, dataType, options);
    }

    /** Builds the model in {@code owned}, which it closes on failure or when the model is closed. */
    private static LlamaModel create(LlamaConfig config, Checkpoint checkpoint, NDManager owned, DataType dataType,
                                     LoadOptions options) {
        try {
            if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT16) {
                throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "LLaMA compute dtype must be float32 or float16, not "
                        + dataType + " (bfloat16 checkpoints are widened at load)");
            }
            String prefix = options.prefix();
            if (prefix == null) {
                prefix = !checkpoint.contains(LlamaWeights.EMBED_TOKENS)
                        && checkpoint.contains(LlamaWeights.LANGUAGE_MODEL_PREFIX + LlamaWeights.EMBED_TOKENS)
                        ? LlamaWeights.LANGUAGE_MODEL_PREFIX : "";
            }
            Checkpoint view = prefix.isEmpty() ? checkpoint : checkpoint.withPrefix(prefix);
            LlamaWeights weights = LlamaWeights.load(config, view, owned, dataType, options.mode());
            double factor = config.ropeScaling() == null ? 1.0 : config.ropeScaling().factor();
            RotaryEmbedding rope = new RotaryEmbedding(config.headDim(), config.ropeTheta(), factor,
                    config.maxPositionEmbeddings());
            String name = options.name() != null ? options.name() : config.nameOrPath();
            return new LlamaModel(config, dataType, owned, weights, name, null, rope, null);
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    public LlamaConfig config() {
        return config;
    }

    public DataType dataType() {
        return dataType;
    }

    /** The base model's name for adapter checks, or null when unknown. */
    public String name() {
        return name;
    }

    /** The adapter merged into this model, or null for the base model. */
    public String adapterName() {
        return adapterName;
    }

    /** The weights (read-only: they are shared with adapter views). */
    public LlamaWeights weights() {
        return weights;
    }

    /**
     * A view of this model with a LoRA adapter merged ({@code W + (alpha/r) B A}) into copies of the
     * targeted weights; every other tensor is shared. This model keeps its base weights, so
     * switching adapters is choosing a view. Closing the view frees only its merged copies; closing
     * this model closes its views too.
     *
     * @throws Gpt4VideoException {@code ADAPTER_MISMATCH} naming the tensor when the adapter does not fit
     */
    public LlamaModel withAdapter(LoraAdapter adapter, String adapterName) {
        checkOpen();
        if (this.adapterName != null) {
            throw new IllegalStateException("adapters merge into the base model, not into adapter view " + this.adapterName);
        }
        adapter.checkBaseModel(name);
        NDManager m = manager.newSubManager();
        m.setName("lora:" + adapterName);
        try {
            Map<String, NDArray> merged = LoraMerge.merge(adapter, weights::linear, m);
            LlamaModel view = new LlamaModel(config, dataType, m, weights.withLinears(merged), name, adapterName, rope, this);
            synchronized (views) {
                views.add(view);
            }
            return view;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A cache for one sequence of up to {@code capacity} positions (at most {@code max_position_embeddings}). */
    public KvCache newCache(int capacity) {
        checkOpen();
        return new KvCache(manager, config, dataType, capacity);
    }

    /**
     * Joins segments into one input, {@code [length, hidden]} in the model dtype, owned by {@code out}.
     *
     * @throws Gpt4VideoException {@code INVALID_REQUEST} for an id outside the vocabulary or rows of the wrong width
     */
    public NDArray embed(List<Segment> segments, NDManager out) {
        checkOpen();
        if (segments.isEmpty() || Segment.length(segments) == 0) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "the input is empty");
        }
        try (NDScope ignored = new NDScope()) {
            NDList parts = new NDList();
            for (Segment s : segments) {
                if (s.length() == 0) {
                    continue;
                }
                parts.add(switch (s) {
                    case Segment.Tokens t -> embedTokens(t.ids());
                    case Segment.Embeddings e -> embedRows(e);
                });
            }
            NDArray joined = parts.size() == 1 ? parts.get(0).duplicate() : NDArrays.concat(parts, 0);
            NDScope.unregister(joined);
            joined.attach(out);
            return joined;
        }
    }

    private NDArray embedTokens(int[] ids) {
        long[] index = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST,
                        "token id " + ids[i] + " is outside the vocabulary (0.." + (config.vocabSize() - 1) + ")");
            }
            index[i] = ids[i];
        }
        return weights.embedTokens().get(manager.create(index));
    }

    private NDArray embedRows(Segment.Embeddings e) {
        if (e.width() != config.hiddenSize()) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "embedding rows are " + e.width()
                    + " wide but the model's hidden size is " + config.hiddenSize());
        }
        NDArray rows = manager.create(e.valuesNoCopy(), new Shape(e.rows(), e.width()));
        return dataType == DataType.FLOAT32 ? rows : rows.toType(dataType, false);
    }

    /** Embeds the segments and runs {@link #prefill(KvCache, NDArray)}. */
    public float[] prefill(KvCache cache, List<Segment> segments) {
        try (NDManager scratch = manager.newSubManager()) {
            return prefill(cache, embed(segments, scratch));
        }
    }

    /**
     * Appends {@code inputs} ({@code [n, hidden]}) to the sequence and returns the float32 logits of
     * its last position. Long inputs run in chunks of {@link #PREFILL_CHUNK} rows.
     */
    public float[] prefill(KvCache cache, NDArray inputs) {
        checkOpen();
        int n = (int) inputs.getShape().get(0);
        if (n == 0) {
            throw new Gpt4VideoException(ErrorCode.INVALID_REQUEST, "the input is empty");
        }
        checkRoom(cache, n);
        float[] logits = null;
        for (int start = 0; start < n; start += PREFILL_CHUNK) {
            int end = Math.min(n, start + PREFILL_CHUNK);
            try (NDScope ignored = new NDScope()) {
                NDArray rows = start == 0 && end == n ? inputs : inputs.get(new NDIndex().addSliceDim(start, end));
                if (rows.getDataType() != dataType) {
                    rows = rows.toType(dataType, false);
                }
                float[][] out = forward(rows, List.of(cache), new int[] {end - start}, end == n);
                logits = out == null ? null : out[0];
            }
        }
        return logits;
    }

    /**
     * One decoding step for a batch: feeds {@code tokens[i]} to {@code caches.get(i)} and returns
     * the float32 logits {@code [batch][vocab]} that predict each sequence's next token.
     */
    public float[][] decode(List<KvCache> caches, int[] tokens) {
        checkOpen();
        if (caches.size() != tokens.length) {
            throw new IllegalArgumentException(caches.size() + " caches but " + tokens.length + " tokens");
        }
        if (caches.isEmpty()) {
            return new float[0][];
        }
        Set<KvCache> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (KvCache c : caches) {
            if (!seen.add(c)) {
                throw new IllegalArgumentException("the same cache appears twice in one batch");
            }
            checkRoom(c, 1);
        }
        int[] counts = new int[caches.size()];
        Arrays.fill(counts, 1);
        try (NDScope ignored = new NDScope()) {
            return forward(embedTokens(tokens), caches, counts, true);
        }
    }

    private void checkRoom(KvCache cache, int n) {
        cache.checkOpen();
        if (n > cache.remaining()) {
            throw new Gpt4VideoException(ErrorCode.CONTEXT_LENGTH_EXCEEDED, "the sequence holds " + cache.length()
                    + " of " + cache.capacity() + " positions and cannot take " + n + " more");
        }
    }

    /**
     * The decoder over rows from several sequences: sequence {@code i} contributes {@code counts[i]}
     * consecutive rows of {@code x}, at positions {@code caches[i].length()...}. Returns the logits
     * of each sequence's last row, or null when {@code logits} is false. Runs inside the caller's
     * NDScope, which frees every intermediate.
     */
    private float[][] forward(NDArray x, List<KvCache> caches, int[] counts, boolean logits) {
        int total = (int) x.getShape().get(0);
        int[] positions = new int[total];
        int[] firstRow = new int[caches.size()];
        for (int i = 0, r = 0; i < caches.size(); i++) {
            firstRow[i] = r;
            for (int j = 0; j < counts[i]; j++) {
                positions[r++] = caches.get(i).length() + j;
            }
        }
        NDArray[] cosSin = rope.cosSin(manager, positions, dataType);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();
        boolean single = caches.size() == 1;

        for (int l = 0; l < config.numHiddenLayers(); l++) {
            LlamaWeights.Layer w = weights.layers().get(l);
            NDArray h = RmsNorm.forward(x, w.inputNorm(), eps);
            NDArray q = linear(h, w.q()).reshape(total, heads, headDim);
            NDArray k = linear(h, w.k()).reshape(total, kvHeads, headDim);
            NDArray v = linear(h, w.v()).reshape(total, kvHeads, headDim);
            q = RotaryEmbedding.apply(q, cosSin[0], cosSin[1], rotateHalf).mul(queryScale);
            k = RotaryEmbedding.apply(k, cosSin[0], cosSin[1], rotateHalf);

            // [rows, 2, kvHeads, headDim]: one slice and one write per sequence stores keys and values.
            NDArray kv = k.stack(v, 1);
            NDList outputs = new NDList(caches.size());
            for (int i = 0; i < caches.size(); i++) {
                KvCache cache = caches.get(i);
                int n = counts[i];
                int start = cache.length();
                NDArray qi = single ? q : rows(q, firstRow[i], n);
                NDArray kvi = single ? kv : rows(kv, firstRow[i], n);
                cache.write(l, start, n == 1 ? kvi.reshape(2, kvHeads, 1, headDim) : kvi.transpose(1, 2, 0, 3));
                outputs.add(CausalAttention.forward(qi, cache.keys(l, start + n), cache.values(l, start + n),
                        start, manager));
            }
            NDArray attended = single ? outputs.get(0) : NDArrays.concat(outputs, 0);
            x = x.add(linear(attended, w.o()));

            NDArray g = RmsNorm.forward(x, w.postAttentionNorm(), eps);
            NDArray gate = linear(g, w.gate());
            NDArray up = linear(g, w.up());
            x = x.add(linear(gate.mul(Activation.sigmoid(gate)).mul(up), w.down()));
        }
        if (!logits) {
            advance(caches, counts);
            return null;
        }
        NDArray last;
        if (total == caches.size()) {
            last = x;
        } else {
            long[] lastRows = new long[caches.size()];
            for (int i = 0; i < caches.size(); i++) {
                lastRows[i] = firstRow[i] + counts[i] - 1;
            }
            last = x.get(manager.create(lastRows));
        }
        NDArray out = linear(RmsNorm.forward(last, weights.norm(), eps), weights.lmHead());
        if (out.getDataType() != DataType.FLOAT32) {
            out = out.toType(DataType.FLOAT32, false);
        }
        float[] flat = out.toFloatArray();
        int vocab = config.vocabSize();
        float[][] result = new float[caches.size()][];
        for (int i = 0; i < result.length; i++) {
            result[i] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
        }
        // Only now: a step that failed part way leaves the caches as they were (rows written past
        // their length are overwritten by the next attempt).
        advance(caches, counts);
        return result;
    }

    private static void advance(List<KvCache> caches, int[] counts) {
        for (int i = 0; i < caches.size(); i++) {
            caches.get(i).advance(counts[i]);
        }
    }

    private static NDArray linear(NDArray x, NDArray weight) {
        return Linear.linear(x, weight).singletonOrThrow();
    }

    private static NDArray rows(NDArray a, int first, int n) {
        return a.get(new NDIndex().addSliceDim(first, first + n));
    }

    private void checkOpen() {
        if (closed) {
            throw new Gpt4VideoException(ErrorCode.NOT_READY, "the language model has been closed");
        }
    }

    /** Frees the weights (for a view: its merged copies). Caches made by this model are freed too. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<LlamaModel> open;
        synchronized (views) {
            open = new ArrayList<>(views);
            views.clear();
        }
        for (LlamaModel v : open) {
            v.close();
        }
        if (base != null) {
            synchronized (base.views) {
                base.views.remove(this);
            }
        }
        manager.close();
    }
}
