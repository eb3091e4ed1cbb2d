package dev.gpt4video.core.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gpt4video.core.ErrorCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a safetensors file. Tensors are laid out in name order and the header is padded with
 * spaces to a multiple of 8, so the same tensors always give the same bytes.
 *
 * <pre>{@code
 * new SafetensorsWriter().putFloats("w", DType.F16, new long[] {2, 2}, values).write(path);
 * }</pre>
 */
public final class SafetensorsWriter {
    private record Entry(DType dtype, long[] shape, ByteBuffer data) {
    }

    private final Map<String, Entry> entries = new TreeMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter() {
        metadata.put("format", "pt");
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds raw little-endian bytes; their length must match dtype and shape. */
    public SafetensorsWriter putBytes(String name, DType dtype, long[] shape, ByteBuffer littleEndianBytes) {
        long elements = 1;
        for (long d : shape) {
            elements = Math.multiplyExact(elements, d);
        }
        if ((long) littleEndianBytes.remaining() != elements * dtype.byteSize()) {
            throw new IllegalArgumentException(name + ": " + littleEndianBytes.remaining() + " bytes for "
                    + dtype + " with " + elements + " elements");
        }
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor " + name);
        }
        entries.put(name, new Entry(dtype, shape.clone(), littleEndianBytes.duplicate()));
        return this;
    }

    /** Adds float values stored as F32, F16 or BF16 (rounded to nearest even). */
    public SafetensorsWriter putFloats(String name, DType dtype, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> b.putFloat(v);
                case F16 -> b.putShort(FloatFormats.floatToF16(v));
                case BF16 -> b.putShort(FloatFormats.floatToBf16(v));
                case F64 -> b.putDouble(v);
                default -> throw new IllegalArgumentException(name + ": " + dtype + " is not a float type");
            }
        }
        return putBytes(name, dtype, shape, b.flip());
    }

    public SafetensorsWriter putFloats(String name, long[] shape, float[] values) {
        return putFloats(name, DType.F32, shape, values);
    }

    public SafetensorsWriter putLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return putBytes(name, DType.I64, shape, b.flip());
    }

    public SafetensorsWriter putInts(String name, long[] shape, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return putBytes(name, DType.I32, shape, b.flip());
    }

    /** Adds U8 (or BOOL, with values 0/1) bytes. */
    public SafetensorsWriter putUnsignedBytes(String name, DType dtype, long[] shape, byte[] values) {
        if (dtype != DType.U8 && dtype != DType.BOOL && dtype != DType.I8) {
            throw new IllegalArgumentException(name + ": " + dtype + " is not a byte type");
        }
        return putBytes(name, dtype, shape, ByteBuffer.wrap(values));
    }

    public int size() {
        return entries.size();
    }

    /** The header bytes exactly as they will be written (after the 8-byte length). */
    byte[] headerBytes() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (var e : entries.entrySet()) {
            ObjectNode t = root.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype.safetensorsName());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.getValue().shape) {
                shape.add(d);
            }
            long len = e.getValue().data.remaining();
            t.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] raw = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(raw, 0, out, 0, raw.length);
        for (int i = raw.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    /** Writes atomically: to a temporary sibling first, then renamed into place. */
    public void write(Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            byte[] header = headerBytes();
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                for (Entry e : entries.values()) {
                    writeFully(ch, e.data.duplicate());
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CheckpointException(ErrorCode.INTERNAL, file, null, "cannot write: " + e.getMessage(), e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
