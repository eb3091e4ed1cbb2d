package dev.gpt4video.core.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Reads one safetensors file: an 8-byte little-endian header length, a JSON header, then the raw
 * tensor bytes. The header is validated in full at open (offsets in range, no overlaps, sizes match
 * shapes), so a corrupt file fails here with the file and tensor named rather than during a forward
 * pass. Tensor bytes are memory-mapped on demand.
 */
public final class SafetensorsReader implements Checkpoint {
    /** Headers larger than this are refused (the format's own reference limit is 100 MB). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Path file;
    private final FileChannel channel;
    private final Map<String, TensorInfo> tensors;
    private final SortedSet<String> names;
    private final Map<String, String> metadata;

    private SafetensorsReader(Path file, FileChannel channel, Map<String, TensorInfo> tensors,
                              Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.tensors = tensors;
        this.names = Collections.unmodifiableSortedSet(new TreeSet<>(tensors.keySet()));
        this.metadata = metadata;
    }

    public static SafetensorsReader open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(dev.gpt4video.core.ErrorCode.CHECKPOINT_INVALID, file, null,
                    "cannot open: " + e.getMessage(), e);
        }
        try {
            HeaderResult header = readHeader(file, channel);
            return new SafetensorsReader(file, channel, header.tensors, header.metadata);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private record HeaderResult(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    }

    private static HeaderResult readHeader(Path file, FileChannel channel) {
        long fileSize;
        try {
            fileSize = channel.size();
        } catch (IOException e) {
            throw CheckpointException.invalid(file, null, "cannot read size: " + e.getMessage());
        }
        if (fileSize < 8) {
            throw CheckpointException.invalid(file, null, "file is " + fileSize + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, channel, lenBuf, 0);
        long headerLen = lenBuf.getLong(0);
        if (headerLen <= 0 || headerLen > fileSize - 8) {
            throw CheckpointException.invalid(file, null, "header length " + Long.toUnsignedString(headerLen)
                    + " does not fit in a file of " + fileSize + " bytes");
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw CheckpointException.invalid(file, null, "header length " + headerLen + " exceeds " + MAX_HEADER_BYTES);
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(file, channel, headerBuf, 8);
        String headerText = new String(headerBuf.array(), StandardCharsets.UTF_8);
        JsonNode root;
        try {
            root = JSON.readTree(headerText);
        } catch (JsonProcessingException e) {
            throw CheckpointException.invalid(file, null, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(root instanceof ObjectNode obj)) {
            throw CheckpointException.invalid(file, null, "header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataSize = fileSize - dataStart;
        Map<String, TensorInfo> tensors = new HashMap<>();
        Map<String, String> metadata = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                if (!e.getValue().isObject()) {
                    throw CheckpointException.invalid(file, null, "__metadata__ is not an object");
                }
                e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue(), dataStart, dataSize));
        }
        checkOverlaps(file, tensors);
        return new HeaderResult(tensors, Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode node, long dataStart, long dataSize) {
        if (!node.isObject()) {
            throw CheckpointException.invalid(file, name, "header entry is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw CheckpointException.invalid(file, name, "missing dtype");
        }
        DType dtype = DType.fromSafetensors(dtypeNode.asText());
        if (dtype == null) {
            throw CheckpointException.invalid(file, name, "unknown dtype '" + dtypeNode.asText() + "'");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw CheckpointException.invalid(file, name, "missing shape");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw CheckpointException.invalid(file, name, "bad shape " + shapeNode);
            }
            shape[i] = d.asLong();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException ex) {
                throw CheckpointException.invalid(file, name, "shape " + shapeNode + " overflows");
            }
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw CheckpointException.invalid(file, name, "bad data_offsets " + offsets);
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw CheckpointException.invalid(file, name, "data_offsets [" + begin + ", " + end
                    + "] out of range for " + dataSize + " data bytes");
        }
        long expected;
        try {
            expected = Math.multiplyExact(elements, dtype.byteSize());
        } catch (ArithmeticException ex) {
            throw CheckpointException.invalid(file, name, "shape " + shapeNode + " overflows");
        }
        if (end - begin != expected) {
            throw new CheckpointException(dev.gpt4video.core.ErrorCode.CHECKPOINT_SHAPE_MISMATCH, file, name,
                    "holds " + (end - begin) + " bytes but " + dtype + " " + shapeNode + " needs " + expected);
        }
        return new TensorInfo(name, file, dtype, shape, dataStart + begin, end - begin);
    }

    private static void checkOverlaps(Path file, Map<String, TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.removeIf(t -> t.byteLength() == 0);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.begin() + prev.byteLength()) {
                throw CheckpointException.invalid(file, cur.name(), "bytes overlap tensor '" + prev.name() + "'");
            }
        }
    }

    private static void readFully(Path file, FileChannel channel, ByteBuffer buf, long position) {
        try {
            long pos = position;
            while (buf.hasRemaining()) {
                int n = channel.read(buf, pos);
                if (n < 0) {
                    throw CheckpointException.invalid(file, null, "file is truncated");
                }
                pos += n;
            }
        } catch (IOException e) {
            throw CheckpointException.invalid(file, null, "read failed: " + e.getMessage());
        }
    }

    @Override
    public Path source() {
        return file;
    }

    @Override
    public SortedSet<String> names() {
        return names;
    }

    /** The file's {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new CheckpointException(dev.gpt4video.core.ErrorCode.CHECKPOINT_TENSOR_MISSING, file, name,
                    "not in checkpoint");
        }
        return info;
    }

    @Override
    public ByteBuffer bytes(String name) {
        TensorInfo info = info(name);
        if (info.byteLength() == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (info.byteLength() > Integer.MAX_VALUE) {
            throw CheckpointException.invalid(file, name, "tensors over 2 GiB are not supported");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, info.begin(), info.byteLength())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(dev.gpt4video.core.ErrorCode.CHECKPOINT_INVALID, file, name,
                    "cannot map bytes: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Read-only channel: nothing to flush.
        }
    }
}
