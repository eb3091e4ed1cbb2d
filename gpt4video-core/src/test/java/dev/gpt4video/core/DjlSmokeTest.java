package dev.gpt4video.core;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

class DjlSmokeTest {
    @Test
    void pytorchLoadsOffline() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            var a = m.arange(6f).reshape(2, 3);
            var b = a.matMul(a.transpose());
            assertThat(b.toFloatArray()).containsExactly(5f, 14f, 14f, 50f);
            var h = a.toType(DataType.FLOAT16, false);
            assertThat(h.getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(m.getEngine().getEngineName()).isEqualTo("PyTorch");
        }
    }
}
