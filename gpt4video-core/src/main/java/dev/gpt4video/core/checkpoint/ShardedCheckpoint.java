package dev.gpt4video.core.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.ErrorCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A checkpoint split over several safetensors files, as Hugging Face writes large models:
 * {@code model.safetensors.index.json} maps each tensor name to its shard.
 */
public final class ShardedCheckpoint implements Checkpoint {
    private final Path index;
    private final Map<String, SafetensorsReader> shardOf;
    private final Map<Path, SafetensorsReader> shards;
    private final SortedSet<String> names;

    private ShardedCheckpoint(Path index, Map<String, SafetensorsReader> shardOf, Map<Path, SafetensorsReader> shards) {
        this.index = index;
        this.shardOf = shardOf;
        this.shards = shards;
        this.names = Collections.unmodifiableSortedSet(new TreeSet<>(shardOf.keySet()));
    }

    public static ShardedCheckpoint open(Path index) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(index));
        } catch (IOException e) {
            throw new CheckpointException(ErrorCode.CHECKPOINT_INVALID, index, null, "unreadable index: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw CheckpointException.invalid(index, null, "index has no weight_map object");
        }
        Path dir = index.toAbsolutePath().normalize().getParent();
        Map<Path, SafetensorsReader> shards = new LinkedHashMap<>();
        Map<String, SafetensorsReader> shardOf = new TreeMap<>();
        try {
            for (var it = map.fields(); it.hasNext(); ) {
                var e = it.next();
                String name = e.getKey();
                if (!e.getValue().isTextual()) {
                    throw CheckpointException.invalid(index, name, "weight_map value is not a file name");
                }
                Path shardPath = dir.resolve(e.getValue().asText()).normalize();
                if (!dir.equals(shardPath.getParent())) {
                    throw CheckpointException.invalid(index, name, "shard '" + e.getValue().asText() + "' is outside the checkpoint directory");
                }
                SafetensorsReader shard = shards.computeIfAbsent(shardPath, SafetensorsReader::open);
                if (!shard.names().contains(name)) {
                    throw new CheckpointException(ErrorCode.CHECKPOINT_TENSOR_MISSING, shardPath, name,
                            "listed in " + index.getFileName() + " but not in the shard");
                }
                shardOf.put(name, shard);
            }
        } catch (RuntimeException e) {
            shards.values().forEach(SafetensorsReader::close);
            throw e;
        }
        return new ShardedCheckpoint(index, shardOf, shards);
    }

    @Override
    public Path source() {
        return index;
    }

    @Override
    public SortedSet<String> names() {
        return names;
    }

    private SafetensorsReader shard(String name) {
        SafetensorsReader r = shardOf.get(name);
        if (r == null) {
            throw new CheckpointException(ErrorCode.CHECKPOINT_TENSOR_MISSING, index, name, "not in checkpoint");
        }
        return r;
    }

    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public ByteBuffer bytes(String name) {
        return shard(name).bytes(name);
    }

    @Override
    public void close() {
        shards.values().forEach(SafetensorsReader::close);
    }
}
