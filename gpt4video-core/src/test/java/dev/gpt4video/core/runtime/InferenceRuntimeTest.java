package dev.gpt4video.core.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InferenceRuntimeTest {

    @Test
    void autoPicksGpuAndHalfPrecisionWhenAGpuIsVisible() {
        var gpu = InferenceRuntime.choose(RuntimeOptions.defaults(), 2);
        assertThat(gpu.device()).isEqualTo(Device.gpu(0));
        assertThat(gpu.dataType()).isEqualTo(DataType.FLOAT16);
        var cpu = InferenceRuntime.choose(RuntimeOptions.defaults(), 0);
        assertThat(cpu.device()).isEqualTo(Device.cpu());
        assertThat(cpu.dataType()).isEqualTo(DataType.FLOAT32);
        assertThat(InferenceRuntime.choose(new RuntimeOptions(null, "gpu:1", "float32"), 2).device()).isEqualTo(Device.gpu(1));
        assertThat(InferenceRuntime.choose(new RuntimeOptions(null, "cpu", null), 2).device()).isEqualTo(Device.cpu());
    }

    @Test
    void impossibleChoicesAreConfigErrors() {
        assertThatThrownBy(() -> InferenceRuntime.choose(new RuntimeOptions(null, "gpu:1", null), 1))
                .isInstanceOfSatisfying(Gpt4VideoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID));
        assertThatThrownBy(() -> InferenceRuntime.choose(new RuntimeOptions(null, "cpu", "float16"), 0))
                .hasMessageContaining("only supported on GPU");
        assertThatThrownBy(() -> new RuntimeOptions(null, "tpu", null)).hasMessageContaining("device");
        assertThatThrownBy(() -> new RuntimeOptions(null, null, "bfloat16")).hasMessageContaining("bfloat16");
    }

    /**
     * 1,000 requests of a small forward pass (two 256x256 matmuls, a GELU-ish nonlinearity):
     * every array lives in the request's manager, so closing it frees the native memory. Without
     * that, each request would leak about 1 MB and RSS would grow by about 1 GB.
     */
    @Test
    void nativeMemoryDoesNotGrowOverOneThousandRequests() throws IOException {
        try (InferenceRuntime rt = InferenceRuntime.create(RuntimeOptions.defaults())) {
            NDManager model = rt.newModelManager("tiny");
            NDArray w1 = model.randomNormal(new Shape(256, 256));
            NDArray w2 = model.randomNormal(new Shape(256, 256));
            int modelArrays = model.getManagedArrays().size();
            for (int i = 0; i < 100; i++) {
                request(rt, w1, w2); // warm-up: allocator pools, JIT
            }
            System.gc();
            long before = rssKb();
            for (int i = 0; i < 1000; i++) {
                request(rt, w1, w2);
            }
            System.gc();
            long after = rssKb();
            assertThat(model.getManagedArrays()).hasSize(modelArrays);
            assertThat(rt.liveArrays()).isEqualTo(modelArrays);
            System.out.printf("RSS before %d kB, after 1000 requests %d kB (growth %d kB)%n", before, after, after - before);
            assertThat(after - before).as("RSS growth in kB over 1,000 requests").isLessThan(64 * 1024);
        }
    }

    private static void request(InferenceRuntime rt, NDArray w1, NDArray w2) {
        try (NDManager req = rt.newRequestManager()) {
            NDArray x = req.randomNormal(new Shape(256, 256));
            NDArray h = x.matMul(w1);
            NDArray y = h.tanh().matMul(w2);
            assertThat(y.getShape()).isEqualTo(new Shape(256, 256));
        }
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }
}
