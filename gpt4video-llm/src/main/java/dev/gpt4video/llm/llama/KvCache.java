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
 * (a cancelled request does not wait for a garbage collection). Keys and values of a layer share
 * one array {@code [2, kvHeads, capacity, headDim]} (so one write stores both), head-major, so the
 * first {@code length} positions are a strided view that the attention matmul reads without a copy.
 *
 * <p>Not thread-safe: one thread (the scheduler loop) reads and writes a cache at a time.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    /** Per layer {@code [2, kvHeads, capacity, headDim]}: index 0 keys, 1 values. */
    private final NDArray[] layers;
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
        layers = new NDArray[config.numHiddenLayers()];
        Shape shape = new Shape(2, config.numKeyValueHeads(), capacity, config.headDim());
        try {
            for (int l = 0; l < layers.length; l++) {
                // Uninitialised on purpose: positions at or past length() are never read.
                layers[l] = manager.create(shape, dataType);
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.bytes = (long) layers.length * shape.size() * dataType.getNumOfBytes();
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
            NDIndex filled = new NDIndex().addAllDim().addAllDim().addSliceDim(0, source.length);
            for (int l = 0; l < layers.length; l++) {
                try (NDArray kv = source.layers[l].get(filled)) {
                    layers[l].set(filled, kv);
                }
            }
        }
        length = source.length;
    }

    /** Stores positions {@code [start, start + n)} of one layer; {@code kv}: {@code [2, kvHeads, n, headDim]}. */
    void write(int layer, int start, NDArray kv) {
        layers[layer].set(new NDIndex().addAllDim().addAllDim().addSliceDim(start, start + kv.getShape().get(2)), kv);
    }

    /** Keys of one layer for positions {@code [0, end)}: a view {@code [kvHeads, end, headDim]}. */
    NDArray keys(int layer, int end) {
        return layers[layer].get(new NDIndex().addIndices(0).addAllDim().addSliceDim(0, end));
    }

    NDArray values(int layer, int end) {
        return layers[layer].get(new NDIndex().addIndices(1).addAllDim().addSliceDim(0, end));
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
