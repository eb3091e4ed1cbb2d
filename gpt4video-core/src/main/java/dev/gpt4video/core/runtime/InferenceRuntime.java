package dev.gpt4video.core.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that picks the DJL engine, device and dtype, and owns the root NDManager. Models
 * get a manager that lives as long as they do ({@link #newModelManager}); each request gets one
 * that is closed when the request ends ({@link #newRequestManager}), which frees its native memory
 * at once instead of waiting for a garbage collection.
 */
public final class InferenceRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceRuntime.class);

    private final Engine engine;
    private final Device device;
    private final DataType dataType;
    private final NDManager root;

    private InferenceRuntime(Engine engine, Device device, DataType dataType) {
        this.engine = engine;
        this.device = device;
        this.dataType = dataType;
        this.root = engine.newBaseManager(device);
    }

    /** Starts the engine offline (natives come from Maven jars; nothing is downloaded). */
    public static InferenceRuntime create(RuntimeOptions options) {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        Engine engine;
        try {
            engine = Engine.getEngine(options.engine());
        } catch (RuntimeException e) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "runtime engine: cannot start '" + options.engine() + "': " + e.getMessage(), e);
        }
        Choice choice = choose(options, engine.getGpuCount());
        LOG.info("DJL {} {} on {} with {}", engine.getEngineName(), engine.getVersion(), choice.device(), choice.dataType());
        return new InferenceRuntime(engine, choice.device(), choice.dataType());
    }

    /** The resolved device and dtype. */
    public record Choice(Device device, DataType dataType) {
    }

    /**
     * Resolves {@code auto}: a GPU when one is present, else the CPU; float16 on GPU (the reference
     * models run in half precision there) and float32 on CPU, where half precision is slow.
     */
    public static Choice choose(RuntimeOptions options, int gpuCount) {
        Device device = switch (options.device()) {
            case "auto" -> gpuCount > 0 ? Device.gpu(0) : Device.cpu();
            case "cpu" -> Device.cpu();
            default -> {
                int index = options.device().contains(":")
                        ? Integer.parseInt(options.device().substring(options.device().indexOf(':') + 1)) : 0;
                if (index >= gpuCount) {
                    throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "runtime device: " + options.device()
                            + " requested but " + gpuCount + " GPU(s) are visible");
                }
                yield Device.gpu(index);
            }
        };
        boolean gpu = device.isGpu();
        DataType dataType = switch (options.dtype()) {
            case "float32" -> DataType.FLOAT32;
            case "float16" -> DataType.FLOAT16;
            default -> gpu ? DataType.FLOAT16 : DataType.FLOAT32;
        };
        if (!gpu && dataType != DataType.FLOAT32) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "runtime dtype: " + options.dtype() + " is only supported on GPU; use float32 on CPU");
        }
        return new Choice(device, dataType);
    }

    public Engine engine() {
        return engine;
    }

    public Device device() {
        return device;
    }

    public DataType dataType() {
        return dataType;
    }

    /** A manager for a model's weights; close it when the model is unloaded. */
    public NDManager newModelManager(String name) {
        NDManager m = root.newSubManager(device);
        m.setName("model:" + name);
        return m;
    }

    /** A manager for one request; everything created under it is freed when it is closed. */
    public NDManager newRequestManager() {
        NDManager m = root.newSubManager(device);
        m.setName("request");
        return m;
    }

    /** Arrays currently owned by the root manager and its children (for leak checks). */
    public int liveArrays() {
        return countArrays(root);
    }

    private static int countArrays(NDManager m) {
        return m.getManagedArrays().size();
    }

    @Override
    public void close() {
        root.close();
    }
}
