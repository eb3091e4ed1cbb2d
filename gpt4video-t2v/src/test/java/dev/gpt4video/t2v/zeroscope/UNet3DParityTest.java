package dev.gpt4video.t2v.zeroscope;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gpt4video.t2v.testing.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * UNet3DConditionModel vs t2v-tiny/golden/unet_golden.json (diffusers v0.24 on CPU, float32): the
 * output and every stored intermediate (all sub-layers in case a) for 2 frames, 1 frame, batch 2
 * with 3 frames and 77-token contexts, and the odd-size upsample path; absolute tolerance 1e-4
 * (README: float32 noise <= 3e-6, smallest structural mistake 1.6e-5 (eps), next 4e-4).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UNet3DParityTest {
    private static final double TOLERANCE = 1e-4;
    private NDManager manager;
    private UNet3DConditionModel unet;
    private Map<String, JsonNode> cases;

    @BeforeAll
    void load() {
        manager = NDManager.newBaseManager();
        unet = UNet3DConditionModel.load(Golden.dir().resolve("unet"), manager, DataType.FLOAT32, 0);
        cases = new HashMap<>();
        for (JsonNode c : Golden.read("unet_golden.json").get("cases")) {
            cases.put(c.get("name").asText(), c);
        }
    }

    @AfterAll
    void close() {
        manager.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a_f2_8x8_t500", "b_f2_8x8_t37", "c_f1_8x8_t500", "d_b2_f3_8x12_t981_ctx77",
        "e_f2_9x12_t250_upsample_size"})
    void outputAndIntermediatesMatch(String name) {
        JsonNode c = cases.get(name);
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = Golden.tensor(c.get("inputs").get("sample")).toNDArray(m);
            NDArray context = Golden.tensor(c.get("inputs").get("encoder_hidden_states")).toNDArray(m);
            Map<String, float[]> seen = new HashMap<>();
            NDArray out = unet.forward(sample, c.get("inputs").get("timestep").asLong(), context,
                    (n, a) -> seen.put(n, a.toFloatArray()));
            double outDiff = Golden.maxAbsDiff(Golden.tensor(c.get("output")).data(), out.toFloatArray());

            List<String> failures = new ArrayList<>();
            double worst = 0;
            int compared = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = c.get("intermediates").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                List<JsonNode> tensors = new ArrayList<>();
                List<String> names = new ArrayList<>();
                if (e.getValue().isArray()) {
                    for (int k = 0; k < e.getValue().size(); k++) {
                        tensors.add(e.getValue().get(k));
                        names.add(e.getKey() + "." + k);
                    }
                } else {
                    tensors.add(e.getValue());
                    names.add(e.getKey());
                }
                for (int k = 0; k < tensors.size(); k++) {
                    float[] got = seen.get(names.get(k));
                    if (got == null) {
                        failures.add(names.get(k) + ": not reported");
                        continue;
                    }
                    double d = Golden.maxAbsDiff(Golden.tensor(tensors.get(k)).data(), got);
                    compared++;
                    worst = Math.max(worst, d);
                    if (!(d < TOLERANCE)) {
                        failures.add(names.get(k) + ": " + d);
                    }
                }
            }
            System.out.printf("unet %s: output max abs %.2e, %d intermediates worst %.2e%n", name, outDiff, compared, worst);
            assertThat(failures).isEmpty();
            assertThat(outDiff).isLessThan(TOLERANCE);
        }
    }
}
