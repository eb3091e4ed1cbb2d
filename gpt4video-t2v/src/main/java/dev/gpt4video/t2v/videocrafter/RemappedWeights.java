package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.t2v.nn.Weights;

import java.util.function.Function;

/**
 * {@link Weights} that translates the names a loader asks for into a checkpoint's own names
 * ({@link VideoCrafterKeys}), slicing fused tensors and squeezing conv-shaped ones on the way.
 */
final class RemappedWeights implements Weights {
    private final Weights inner;
    private final Function<String, VideoCrafterKeys.Source> remap;
    private final String prefix;

    RemappedWeights(Weights inner, Function<String, VideoCrafterKeys.Source> remap) {
        this(inner, remap, "");
    }

    private RemappedWeights(Weights inner, Function<String, VideoCrafterKeys.Source> remap, String prefix) {
        this.inner = inner;
        this.remap = remap;
        this.prefix = prefix;
    }

    @Override
    public NDArray get(String name, long... shape) {
        VideoCrafterKeys.Source src = remap.apply(prefix + name);
        if (src.parts() == 1 && src.squeeze() == 0) {
            return inner.get(src.name(), shape);
        }
        long[] stored = shape.clone();
        stored[0] *= src.parts();
        if (src.squeeze() > 0) {
            long[] withOnes = java.util.Arrays.copyOf(stored, stored.length + src.squeeze());
            java.util.Arrays.fill(withOnes, stored.length, withOnes.length, 1L);
            stored = withOnes;
        }
        NDArray full = inner.get(src.name(), stored);
        NDArray sliced = src.parts() == 1 ? full
                : full.get(new NDIndex(src.part() * shape[0] + ":" + (src.part() + 1) * shape[0]));
        NDArray view = sliced.reshape(shape);
        // A copy, so the intermediate views (and, for fused tensors, the other rows) can be freed now.
        NDArray out = view.duplicate();
        view.close();
        sliced.close();
        full.close();
        return out;
    }

    @Override
    public boolean has(String name) {
        return inner.has(remap.apply(prefix + name).name());
    }

    @Override
    public Weights scope(String subPrefix) {
        return new RemappedWeights(inner, remap, prefix + subPrefix);
    }

    @Override
    public NDManager manager() {
        return inner.manager();
    }

    @Override
    public DataType dataType() {
        return inner.dataType();
    }
}
