package dev.gpt4video.core.bundle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * A demo component for tests: a JSON config and 256 random float32 weights. Registered for this
 * module's tests in {@code src/test/resources/META-INF/services}; other modules' tests list it in
 * their own services file to opt in (the test-jar leaves {@code META-INF/services} out).
 */
public class TestDemoComponent implements DemoComponent {
    public static final String ROLE = "noise";
    public static final String TYPE = "noise-test";
    public static final int SIZE = 256;

    @Override
    public String role() {
        return ROLE;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void write(ComponentWriter out) throws IOException {
        // A HashMap on purpose: writeJson must still write keys in a stable order.
        Map<String, Object> config = new HashMap<>();
        config.put("size", SIZE);
        config.put("dtype", "float32");
        config.put("model_type", TYPE);
        out.writeJson("config.json", config);
        ByteBuffer weights = ByteBuffer.allocate(SIZE * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < SIZE; i++) {
            weights.putFloat((float) (out.random().nextGaussian() * 0.02));
        }
        out.writeBytes("weights/noise.bin", weights.array());
        out.option("size", SIZE);
    }
}
