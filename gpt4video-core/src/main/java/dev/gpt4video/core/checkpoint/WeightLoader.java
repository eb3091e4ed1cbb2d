package dev.gpt4video.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.core.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Loads a model's tensors by name and keeps account of which were used, like PyTorch's
 * {@code load_state_dict(strict=True)}. A tensor the model asks for but the checkpoint lacks fails
 * at once; {@link #finish()} fails on checkpoint tensors nobody consumed. Accounting matters because
 * some parameters barely move outputs (a key bias shifts every score equally), so parity goldens
 * alone cannot prove every tensor was loaded.
 *
 * <pre>{@code
 * WeightLoader w = new WeightLoader(ckpt, manager, DataType.FLOAT32, WeightLoader.Mode.STRICT);
 * NDArray norm = w.get("model.norm.weight", hidden);
 * w.finish();
 * }</pre>
 */
public final class WeightLoader {
    private static final Logger LOG = LoggerFactory.getLogger(WeightLoader.class);

    /** STRICT fails on unconsumed tensors; LENIENT logs them. Missing tensors always fail. */
    public enum Mode { STRICT, LENIENT }

    private final Checkpoint checkpoint;
    private final NDManager manager;
    private final DataType dataType;
    private final Mode mode;
    private final String prefix;
    private final Set<String> consumed;
    private final List<Pattern> ignored;

    public WeightLoader(Checkpoint checkpoint, NDManager manager, DataType dataType, Mode mode) {
        this(checkpoint, manager, dataType, mode, "", Collections.synchronizedSet(new HashSet<>()),
                Collections.synchronizedList(new ArrayList<>()));
    }

    private WeightLoader(Checkpoint checkpoint, NDManager manager, DataType dataType, Mode mode, String prefix,
                         Set<String> consumed, List<Pattern> ignored) {
        this.checkpoint = checkpoint;
        this.manager = manager;
        this.dataType = dataType;
        this.mode = mode;
        this.prefix = prefix;
        this.consumed = consumed;
        this.ignored = ignored;
    }

    /** A loader for names under {@code subPrefix}, sharing this loader's accounting. */
    public WeightLoader scope(String subPrefix) {
        return new WeightLoader(checkpoint, manager, dataType, mode, prefix + subPrefix, consumed, ignored);
    }

    /** Tensors matching this regex (full name) may stay unconsumed, e.g. {@code .*rotary_emb\.inv_freq}. */
    public WeightLoader ignore(String regex) {
        ignored.add(Pattern.compile(regex));
        return this;
    }

    public NDManager manager() {
        return manager;
    }

    public DataType dataType() {
        return dataType;
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    public boolean has(String name) {
        return checkpoint.contains(prefix + name);
    }

    /** Loads a tensor in the loader's dtype; checks the shape when {@code expectedShape} is given. */
    public NDArray get(String name, long... expectedShape) {
        return get(name, dataType, expectedShape);
    }

    /** Loads a tensor converted to {@code type} ({@code null} keeps the stored type). */
    public NDArray get(String name, DataType type, long... expectedShape) {
        TensorInfo info = lookup(name, expectedShape);
        return checkpoint.load(info.name(), manager, type);
    }

    /** Reads a floating tensor into a Java array (exact for F16/BF16). */
    public float[] floats(String name, long... expectedShape) {
        TensorInfo info = lookup(name, expectedShape);
        return checkpoint.floats(info.name());
    }

    /** Like {@link #get} but returns null when the checkpoint lacks the tensor. */
    public NDArray optional(String name, long... expectedShape) {
        return has(name) ? get(name, expectedShape) : null;
    }

    /** The stored shape, marking nothing as consumed. */
    public long[] shape(String name) {
        return require(name).shape();
    }

    /** Marks a tensor as used without loading it (e.g. a value the model derives itself). */
    public void markConsumed(String name) {
        require(name);
        consumed.add(prefix + name);
    }

    private TensorInfo lookup(String name, long[] expectedShape) {
        TensorInfo info = require(name);
        if (expectedShape.length > 0 && !Arrays.equals(info.shape(), expectedShape)) {
            throw new CheckpointException(ErrorCode.CHECKPOINT_SHAPE_MISMATCH, checkpoint.source(), prefix + name,
                    "has shape " + Arrays.toString(info.shape()) + " but the model expects " + Arrays.toString(expectedShape));
        }
        consumed.add(prefix + name);
        return info;
    }

    private TensorInfo require(String name) {
        String full = prefix + name;
        if (!checkpoint.contains(full)) {
            throw new CheckpointException(ErrorCode.CHECKPOINT_TENSOR_MISSING, checkpoint.source(), full,
                    "expected by the model but missing from the checkpoint");
        }
        return checkpoint.info(full);
    }

    /** Names in the checkpoint that nothing consumed and no ignore pattern covers. */
    public Set<String> unconsumed() {
        Set<String> left = new TreeSet<>();
        for (String n : checkpoint.names()) {
            if (!consumed.contains(n) && ignored.stream().noneMatch(p -> p.matcher(n).matches())) {
                left.add(n);
            }
        }
        return left;
    }

    /** Ends loading: in strict mode fails listing every unconsumed tensor; in lenient mode logs them. */
    public void finish() {
        Set<String> left = unconsumed();
        if (left.isEmpty()) {
            return;
        }
        String message = left.size() + " checkpoint tensor(s) not used by the model: " + left;
        if (mode == Mode.STRICT) {
            throw new CheckpointException(ErrorCode.CHECKPOINT_TENSOR_UNEXPECTED, checkpoint.source(),
                    left.iterator().next(), message);
        }
        LOG.warn("{}: {}", checkpoint.source(), message);
    }
}
