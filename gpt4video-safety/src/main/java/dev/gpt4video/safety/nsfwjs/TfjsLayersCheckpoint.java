package dev.gpt4video.safety.nsfwjs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.CheckpointException;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.TensorInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A tfjs layers-model ({@code model.json} + its binary weight shards) seen as a {@link Checkpoint}
 * of float32 tensors, named and shaped as in the weights manifest. Quantized entries are
 * dequantized exactly as tfjs' {@code io.decodeWeights} does: {@code q * scale + min} in double
 * precision, then rounded to float32.
 *
 * <pre>{@code
 * try (Checkpoint ckpt = TfjsLayersCheckpoint.open(dir.resolve("model.json"))) { ... }
 * }</pre>
 */
public final class TfjsLayersCheckpoint implements Checkpoint {
    private final Path modelJson;
    private final JsonNode topology;
    private final Map<String, TensorInfo> infos = new LinkedHashMap<>();
    private final Map<String, float[]> values = new LinkedHashMap<>();
    private final SortedSet<String> names;

    private TfjsLayersCheckpoint(Path modelJson, JsonNode topology, Map<String, TensorInfo> infos,
                                 Map<String, float[]> values) {
        this.modelJson = modelJson;
        this.topology = topology;
        this.infos.putAll(infos);
        this.values.putAll(values);
        this.names = Collections.unmodifiableSortedSet(new TreeSet<>(infos.keySet()));
    }

    /** Reads {@code model.json} and every shard its manifest lists (paths relative to it). */
    public static TfjsLayersCheckpoint open(Path modelJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(modelJson.toFile());
        } catch (IOException e) {
            throw new CheckpointException(dev.gpt4video.core.ErrorCode.CHECKPOINT_INVALID, modelJson, null,
                    "cannot read tfjs model.json: " + e.getMessage(), e);
        }
        JsonNode manifest = root.path("weightsManifest");
        if (!manifest.isArray() || manifest.isEmpty()) {
            throw CheckpointException.invalid(modelJson, null, "no weightsManifest");
        }
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        Map<String, float[]> values = new LinkedHashMap<>();
        for (JsonNode group : manifest) {
            ByteBuffer data = concatShards(modelJson, group.path("paths"));
            for (JsonNode spec : group.path("weights")) {
                String name = spec.path("name").asText();
                long[] shape = new long[spec.path("shape").size()];
                int count = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = spec.path("shape").get(i).asLong();
                    count = Math.multiplyExact(count, (int) shape[i]);
                }
                if (!"float32".equals(spec.path("dtype").asText())) {
                    throw CheckpointException.invalid(modelJson, name, "dtype " + spec.path("dtype").asText()
                            + " is not supported (float32 only)");
                }
                float[] v = decode(modelJson, name, spec.path("quantization"), data, count);
                if (infos.put(name, new TensorInfo(name, modelJson, DType.F32, shape, 0, 4L * count)) != null) {
                    throw CheckpointException.invalid(modelJson, name, "listed twice in weightsManifest");
                }
                values.put(name, v);
            }
            if (data.hasRemaining()) {
                throw CheckpointException.invalid(modelJson, null, data.remaining()
                        + " shard bytes left over after the last manifest entry");
            }
        }
        return new TfjsLayersCheckpoint(modelJson, root.path("modelTopology"), infos, values);
    }

    private static ByteBuffer concatShards(Path modelJson, JsonNode paths) {
        try {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (JsonNode p : paths) {
                all.write(Files.readAllBytes(modelJson.resolveSibling(p.asText())));
            }
            return ByteBuffer.wrap(all.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(dev.gpt4video.core.ErrorCode.CHECKPOINT_INVALID, modelJson, null,
                    "cannot read weight shard: " + e.getMessage(), e);
        }
    }

    private static float[] decode(Path file, String name, JsonNode quantization, ByteBuffer data, int count) {
        float[] out = new float[count];
        String q = quantization.isMissingNode() ? "float32" : quantization.path("dtype").asText();
        int bytesPer = switch (q) {
            case "float32" -> 4;
            case "uint16" -> 2;
            case "uint8" -> 1;
            default -> throw CheckpointException.invalid(file, name, "quantization " + q + " is not supported");
        };
        if (data.remaining() < (long) bytesPer * count) {
            throw CheckpointException.invalid(file, name, "weight shard is truncated");
        }
        double min = quantization.path("min").asDouble();
        double scale = quantization.path("scale").asDouble();
        for (int i = 0; i < count; i++) {
            out[i] = switch (bytesPer) {
                case 4 -> data.getFloat();
                // tfjs computes q * scale + min in JS numbers (float64) and stores into a Float32Array.
                case 2 -> (float) ((data.getShort() & 0xFFFF) * scale + min);
                default -> (float) ((data.get() & 0xFF) * scale + min);
            };
        }
        return out;
    }

    /** The Keras topology ({@code modelTopology}) from model.json. */
    public JsonNode topology() {
        return topology;
    }

    /** Tensor names in manifest order. */
    public Iterable<String> manifestOrder() {
        return infos.keySet();
    }

    @Override
    public Path source() {
        return modelJson;
    }

    @Override
    public SortedSet<String> names() {
        return names;
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = infos.get(name);
        if (info == null) {
            throw new CheckpointException(dev.gpt4video.core.ErrorCode.CHECKPOINT_TENSOR_MISSING, modelJson, name,
                    "not in weightsManifest");
        }
        return info;
    }

    @Override
    public ByteBuffer bytes(String name) {
        float[] v = floats(name);
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public float[] floats(String name) {
        info(name);
        return values.get(name).clone();
    }

    @Override
    public void close() {
    }
}
