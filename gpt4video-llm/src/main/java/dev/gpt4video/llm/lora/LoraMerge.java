package dev.gpt4video.llm.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Merges LoRA deltas into copies of base weights: {@code W' = W + (alpha/r) * B @ A}, transposed
 * when {@code fan_in_fan_out} (the adapter was made for a layer that stores {@code [in, out]}).
 * The delta is computed in float32 and added in float32, then cast to the weight dtype; PEFT adds
 * it to the bf16/fp16 weight directly, so half-precision merges may differ in the last bit.
 */
public final class LoraMerge {
    private LoraMerge() {
    }

    /**
     * @param base the base weight of a module name, or null when the base has no such module
     * @param out owner of the merged copies
     * @return merged copies by module name; the base weights are not modified
     * @throws dev.gpt4video.core.Gpt4VideoException {@code ADAPTER_MISMATCH} naming the tensor
     */
    public static Map<String, NDArray> merge(LoraAdapter adapter, Function<String, NDArray> base, NDManager out) {
        LoraConfig config = adapter.config();
        // Check everything before allocating anything.
        for (LoraAdapter.Module m : adapter.modules().values()) {
            NDArray w = base.apply(m.name());
            if (w == null) {
                throw LoraAdapter.mismatch(adapter.source(), m.tensorA(), "adapts module '" + m.name()
                        + "', which the base model does not have");
            }
            long[] shape = w.getShape().getShape();
            long rows = config.fanInFanOut() ? m.shapeA()[1] : m.shapeB()[0];
            long cols = config.fanInFanOut() ? m.shapeB()[0] : m.shapeA()[1];
            if (shape[1] != cols) {
                throw LoraAdapter.mismatch(adapter.source(), config.fanInFanOut() ? m.tensorB() : m.tensorA(),
                        "has shape " + Arrays.toString(config.fanInFanOut() ? m.shapeB() : m.shapeA())
                                + ", which does not fit base weight " + m.name() + " " + Arrays.toString(shape)
                                + (config.fanInFanOut() ? " (fan_in_fan_out)" : ""));
            }
            if (shape[0] != rows) {
                throw LoraAdapter.mismatch(adapter.source(), config.fanInFanOut() ? m.tensorA() : m.tensorB(),
                        "has shape " + Arrays.toString(config.fanInFanOut() ? m.shapeA() : m.shapeB())
                                + ", which does not fit base weight " + m.name() + " " + Arrays.toString(shape)
                                + (config.fanInFanOut() ? " (fan_in_fan_out)" : ""));
            }
        }
        float scaling = (float) config.scaling();
        Map<String, NDArray> merged = new LinkedHashMap<>();
        for (LoraAdapter.Module m : adapter.modules().values()) {
            NDArray w = base.apply(m.name());
            try (NDScope ignored = new NDScope()) {
                NDArray a = out.create(m.a(), new Shape(m.shapeA()));
                NDArray b = out.create(m.b(), new Shape(m.shapeB()));
                NDArray delta = b.matMul(a).mul(scaling);
                if (config.fanInFanOut()) {
                    delta = delta.transpose();
                }
                DataType type = w.getDataType();
                NDArray sum = (type == DataType.FLOAT32 ? w : w.toType(DataType.FLOAT32, false)).add(delta);
                NDArray result = type == DataType.FLOAT32 ? sum : sum.toType(type, false);
                NDScope.unregister(result);
                result.attach(out);
                merged.put(m.name(), result);
            }
        }
        return merged;
    }
}
