package dev.gpt4video.llm.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

/**
 * The keys and values one sequence has computed so far, per layer, preallocated for
 * {@link #capacity()} positions. It owns an NDManager: {@link #close()} frees the memory at once
 * (a cancelled request does not wait for a garbage collection). Keys and values are stored
 * head-major, {@code [kvHeads, capacity, headDim]} per layer, so the first {@code length}
 * positions are a strided view that the attention matmul reads without a copy.
 *
 * <p>Not thread-safe: one thread (the scheduler loop) reads and writes a cache at a time.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int capacity;
    private final long bytes;
    private int length;
    private volatile boolean closed;

    KvCache(NDManager parent, LlamaConfig config, DataType dataType, int capacity) {
        if (capacity <= 0 || capacity > config.maxPositionEmbeddings()) {
            throw new Gpt4VideoException(ErrorCode.CONTEXT_LENGTH_EXCEEDED, "a sequence of " + capacity
                    + " positions does not fit the model's " + config.maxPositionEmbeddings());
        }
        this.capacity = capacity;
        this.manager = parent.newSubManager();
        this.manager.setName("kv-cache");
        int layers = config.numHiddenLayers();
        keys = new NDArray[layers];
        values = new NDArray[layers];
        Shape shape = new Shape(config.numKeyValueHeads(), capacity, config.headDim());
        try {
            for (int l = 0; l < layers; l++) {
                // Uninitialised on purpose: positions at or past length() are never read.
                keys[l] = manager.create(shape, dataType);
                values[l] = manager.create(shape, dataType);
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.bytes = 2L * layers * shape.size() * dataType.getNumOfBytes();
    }

    /** Positions filled so far. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    public int remaining() {
        return capacity - length;
    }

    /** Native bytes this cache holds. */
    public long bytes() {
        return bytes;
    }

    /** The manager owning this cache's arrays (for leak checks). */
    public NDManager manager() {
        return manager;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Forgets all positions (the memory stays allocated). */
    public void clear() {
        length = 0;
    }

    /** Makes this cache hold the same first {@code source.length()} positions as {@code source}. */
    public void copyFrom(KvCache source) {
        checkOpen();
        source.checkOpen();
        if (source.length > capacity) {
            throw new IllegalArgumentException("source holds " + source.length + " positions, capacity is " + capacity);
        }
        if (source.length > 0) {
            NDIndex filled = new NDIndex().addAllDim().addSliceDim(0, source.length);
            for (int l = 0; l < keys.length; l++) {
                try (NDArray k = source.keys[l].get(filled); NDArray v = source.values[l].get(filled)) {
                    keys[l].set(filled, k);
                    values[l].set(filled, v);
                }
            }
        }
        length = source.length;
    }

    /** Stores rows {@code [start, start + n)} of one layer; {@code k, v}: {@code [kvHeads, n, headDim]}. */
    void write(int layer, int start, NDArray k, NDArray v) {
        NDIndex rows = new NDIndex().addAllDim().addSliceDim(start, start + k.getShape().get(1));
        keys[layer].set(rows, k);
        values[layer].set(rows, v);
    }

    /** Keys of one layer for positions {@code [0, end)}: a view {@code [kvHeads, end, headDim]}. */
    NDArray keys(int layer, int end) {
        return keys[layer].get(new NDIndex().addAllDim().addSliceDim(0, end));
    }

    NDArray values(int layer, int end) {
        return values[layer].get(new NDIndex().addAllDim().addSliceDim(0, end));
    }

    void advance(int n) {
        length += n;
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("KV cache is closed");
        }
    }

    /** Frees the cache's native memory now. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
