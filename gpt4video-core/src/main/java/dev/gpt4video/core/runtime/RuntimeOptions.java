package dev.gpt4video.core.runtime;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.Locale;
import java.util.Set;

/**
 * What the operator asked for: engine name, device ({@code auto}, {@code cpu}, {@code gpu},
 * {@code gpu:N}) and compute dtype ({@code auto}, {@code float32}, {@code float16}). bfloat16 is
 * refused: DJL 0.35's PyTorch JNI aborts the JVM when it creates a bfloat16 tensor, so bf16
 * checkpoints are converted in Java to float16 (GPU) or float32 (CPU) at load.
 */
public record RuntimeOptions(String engine, String device, String dtype) {
    private static final Set<String> DTYPES = Set.of("auto", "float32", "float16");

    public RuntimeOptions {
        engine = engine == null || engine.isBlank() ? "PyTorch" : engine;
        device = device == null || device.isBlank() ? "auto" : device.toLowerCase(Locale.ROOT).trim();
        dtype = dtype == null || dtype.isBlank() ? "auto" : dtype.toLowerCase(Locale.ROOT).trim();
        if (dtype.equals("bfloat16") || dtype.equals("bf16")) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "runtime dtype: bfloat16 compute is not "
                    + "available (DJL 0.35's PyTorch JNI aborts on bfloat16 tensors); use float16 on GPU");
        }
        if (!DTYPES.contains(dtype)) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "runtime dtype: '" + dtype + "' is not one of " + DTYPES);
        }
        if (!device.matches("auto|cpu|(gpu|cuda)(:\\d+)?")) {
            throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID,
                    "runtime device: '" + device + "' is not auto, cpu, gpu or gpu:N");
        }
    }

    public static RuntimeOptions defaults() {
        return new RuntimeOptions(null, null, null);
    }
}
