package dev.gpt4video.safety.nsfwjs;

import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Converts nsfwjs' decoded tfjs files ({@code model.json} + {@code group1-shard1of1}, written by
 * {@code scripts/models/decode-nsfwjs.js} from the npm package) into {@code model.safetensors}
 * (float32, tfjs names and shapes, dequantized as tfjs does) + {@code config.json}, then checks that
 * {@link NsfwjsModel} loads the result strictly.
 *
 * <pre>
 * java ... dev.gpt4video.safety.nsfwjs.NsfwjsConverter &lt;tfjs-dir&gt; &lt;out-dir&gt;
 * </pre>
 */
public final class NsfwjsConverter {
    private NsfwjsConverter() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: NsfwjsConverter <dir with model.json + shard> <output dir>");
            System.exit(2);
        }
        Path out = convert(Path.of(args[0]), Path.of(args[1]));
        System.out.println("wrote " + out);
    }

    /** Writes {@code out/model.safetensors} and {@code out/config.json}; returns the safetensors path. */
    public static Path convert(Path tfjsDir, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        Path target = outDir.resolve("model.safetensors");
        try (TfjsLayersCheckpoint tfjs = TfjsLayersCheckpoint.open(tfjsDir.resolve("model.json"))) {
            checkTopology(tfjs);
            SafetensorsWriter writer = new SafetensorsWriter().metadata("source", "nsfwjs@4.4.0 mobilenet_v2 (MIT)");
            for (String name : tfjs.manifestOrder()) {
                writer.putFloats(name, DType.F32, tfjs.info(name).shape(), tfjs.floats(name));
            }
            Path tmp = outDir.resolve("model.safetensors.tmp");
            writer.write(tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        NsfwjsConfig.defaults().write(outDir);
        Path license = tfjsDir.resolve("LICENSE.nsfwjs");
        if (Files.isRegularFile(license)) {
            Files.copy(license, outDir.resolve("LICENSE.nsfwjs"), StandardCopyOption.REPLACE_EXISTING);
        }
        try (var m = ai.djl.ndarray.NDManager.newBaseManager(); NsfwjsModel model = NsfwjsModel.load(outDir, m)) {
            model.config();
        }
        return target;
    }

    /** Fails unless the topology is the Keras MobileNetV2 + dense head this runtime implements. */
    static void checkTopology(TfjsLayersCheckpoint tfjs) {
        var config = tfjs.topology().path("model_config").path("config");
        var layers = config.path("layers");
        int count = layers.size();
        String last = count == 0 ? "" : layers.get(count - 1).path("name").asText();
        String activation = count == 0 ? "" : layers.get(count - 1).path("config").path("activation").asText();
        if (count != 162 || !last.equals("dense_3") || !activation.equals("softmax")) {
            throw new dev.gpt4video.core.Gpt4VideoException(dev.gpt4video.core.ErrorCode.CHECKPOINT_INVALID,
                    tfjs.source() + ": expected nsfwjs' 162-layer MobileNetV2 ending in dense_3 softmax, got "
                            + count + " layers ending in " + last + " " + activation);
        }
    }
}
