package dev.gpt4video.t2v.videocrafter;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.CheckpointException;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.TensorInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A PyTorch {@code torch.save} zip checkpoint (VideoCrafter's {@code model.ckpt}) read without
 * Python: the zip's central directory (zip64 aware; entries must be stored, as torch writes them),
 * then {@code data.pkl} through a small pickle interpreter that builds only dicts, lists, tuples,
 * scalars and tensor references ({@code torch._utils._rebuild_tensor_v2} over a persistent storage
 * id); any other class (Lightning's hyper-parameters, callbacks) becomes an inert placeholder, and
 * no code from the file is ever run. Tensors are served straight from the file's bytes.
 *
 * <p>The state dict is {@code root["state_dict"]}, or DeepSpeed's {@code root["module"]} without its
 * 16-character {@code _forward_module.} prefix, or the root itself. Tensors must be contiguous.
 */
final class TorchZipCheckpoint implements Checkpoint {
    private final Path file;
    private final FileChannel channel;
    private final Map<String, TensorInfo> tensors;

    private TorchZipCheckpoint(Path file, FileChannel channel, Map<String, TensorInfo> tensors) {
        this.file = file;
        this.channel = channel;
        this.tensors = tensors;
    }

    static TorchZipCheckpoint open(Path file) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            Map<String, long[]> entries = centralDirectory(file, ch);
            String pkl = null;
            for (String name : entries.keySet()) {
                if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                    pkl = name;
                }
            }
            if (pkl == null) {
                throw CheckpointException.invalid(file, null, "no <archive>/data.pkl: not a torch.save zip file");
            }
            String archive = pkl.substring(0, pkl.length() - "data.pkl".length());
            long[] pklEntry = entries.get(pkl);
            ByteBuffer pickle = read(ch, pklEntry[0], Math.toIntExact(pklEntry[1]));
            Object root;
            try {
                root = new Unpickler(pickle, file).load();
            } catch (java.nio.BufferUnderflowException | ClassCastException | IndexOutOfBoundsException
                     | NegativeArraySizeException | ArithmeticException e) {
                throw new CheckpointException(ErrorCode.CHECKPOINT_INVALID, file, null,
                        "malformed pickle in " + pkl + ": " + e, e);
            }
            Map<String, TensorInfo> tensors = new TreeMap<>();
            for (Map.Entry<?, ?> e : stateDict(root, file).entrySet()) {
                if (e.getValue() instanceof TensorRef t && e.getKey() instanceof String name) {
                    tensors.put(name, t.info(name, file, archive, entries));
                }
            }
            return new TorchZipCheckpoint(file, ch, Collections.unmodifiableMap(tensors));
        } catch (IOException e) {
            close(ch);
            throw new CheckpointException(ErrorCode.CHECKPOINT_INVALID, file, null, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    private static Map<?, ?> stateDict(Object root, Path file) {
        if (root instanceof Map<?, ?> m) {
            if (m.get("state_dict") instanceof Map<?, ?> sd) {
                return sd;
            }
            if (m.get("module") instanceof Map<?, ?> module) {
                // DeepSpeed checkpoints prefix every name with "_forward_module." (lvdm strips 16 characters).
                Map<Object, Object> out = new LinkedHashMap<>();
                module.forEach((k, v) -> out.put(k instanceof String s && s.length() > 16 ? s.substring(16) : k, v));
                return out;
            }
            return m;
        }
        throw CheckpointException.invalid(file, null, "the pickled root is not a dict");
    }

    @Override
    public Path source() {
        return file;
    }

    @Override
    public SortedSet<String> names() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(tensors.keySet()));
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new CheckpointException(ErrorCode.CHECKPOINT_TENSOR_MISSING, file, name, "not in the checkpoint");
        }
        return info;
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public ByteBuffer bytes(String name) {
        TensorInfo info = info(name);
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, info.begin(), info.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(ErrorCode.CHECKPOINT_INVALID, file, name, "cannot map: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        close(channel);
    }

    private static void close(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a read-only channel
            }
        }
    }

    // ---- zip ----

    /** name -> {absolute data offset, size} for every stored entry. */
    private static Map<String, long[]> centralDirectory(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        int tail = (int) Math.min(size, 65557);
        ByteBuffer end = read(ch, size - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw CheckpointException.invalid(file, null, "not a zip file (no end of central directory)");
        }
        long count = end.getShort(eocd + 10) & 0xFFFF;
        long cdSize = end.getInt(eocd + 12) & 0xFFFFFFFFL;
        long cdOffset = end.getInt(eocd + 16) & 0xFFFFFFFFL;
        if (count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            int locator = eocd - 20;
            if (locator < 0 || end.getInt(locator) != 0x07064b50) {
                throw CheckpointException.invalid(file, null, "zip64 end of central directory locator missing");
            }
            ByteBuffer z64 = read(ch, end.getLong(locator + 8), 56);
            if (z64.getInt(0) != 0x06064b50) {
                throw CheckpointException.invalid(file, null, "bad zip64 end of central directory");
            }
            count = z64.getLong(32);
            cdSize = z64.getLong(40);
            cdOffset = z64.getLong(48);
        }
        ByteBuffer cd = read(ch, cdOffset, Math.toIntExact(cdSize));
        Map<String, long[]> entries = new HashMap<>();
        int p = 0;
        for (long n = 0; n < count; n++) {
            if (cd.getInt(p) != 0x02014b50) {
                throw CheckpointException.invalid(file, null, "bad zip central directory entry");
            }
            int method = cd.getShort(p + 10) & 0xFFFF;
            long compressed = cd.getInt(p + 20) & 0xFFFFFFFFL;
            long uncompressed = cd.getInt(p + 24) & 0xFFFFFFFFL;
            int nameLen = cd.getShort(p + 28) & 0xFFFF;
            int extraLen = cd.getShort(p + 30) & 0xFFFF;
            int commentLen = cd.getShort(p + 32) & 0xFFFF;
            long local = cd.getInt(p + 42) & 0xFFFFFFFFL;
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // zip64 extra field: the 8-byte values replace, in order, those stored as 0xFFFFFFFF.
            int x = p + 46 + nameLen;
            int xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xFFFF;
                int len = cd.getShort(x + 2) & 0xFFFF;
                if (id == 0x0001) {
                    int q = x + 4;
                    if (uncompressed == 0xFFFFFFFFL) {
                        uncompressed = cd.getLong(q);
                        q += 8;
                    }
                    if (compressed == 0xFFFFFFFFL) {
                        compressed = cd.getLong(q);
                        q += 8;
                    }
                    if (local == 0xFFFFFFFFL) {
                        local = cd.getLong(q);
                    }
                }
                x += 4 + len;
            }
            if (method != 0 || compressed != uncompressed) {
                throw CheckpointException.invalid(file, name, "zip entry is compressed; torch.save stores entries");
            }
            ByteBuffer lh = read(ch, local, 30);
            if (lh.getInt(0) != 0x04034b50) {
                throw CheckpointException.invalid(file, name, "bad zip local header");
            }
            long data = local + 30 + (lh.getShort(26) & 0xFFFF) + (lh.getShort(28) & 0xFFFF);
            entries.put(name, new long[] {data, uncompressed});
            p += 46 + nameLen + extraLen + commentLen;
        }
        return entries;
    }

    private static ByteBuffer read(FileChannel ch, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) {
                throw new IOException("unexpected end of file at " + (offset + b.position()));
            }
        }
        return b.flip();
    }

    // ---- pickle ----

    private record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** An instance of a class this reader does not model; its arguments and state are dropped. */
    private record Opaque(String type) {
    }

    private record StorageRef(DType dtype, String key, long numel) {
    }

    private record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
        TensorInfo info(String name, Path file, String archive, Map<String, long[]> entries) {
            long expected = 1;
            for (int i = size.length - 1; i >= 0; i--) {
                if (size[i] != 1 && stride[i] != expected) {
                    throw CheckpointException.invalid(file, name, "is not contiguous (stride "
                            + java.util.Arrays.toString(stride) + "); save it with .contiguous()");
                }
                expected *= size[i];
            }
            long[] entry = entries.get(archive + "data/" + storage.key());
            if (entry == null) {
                throw CheckpointException.invalid(file, name, "storage data/" + storage.key() + " missing from the zip");
            }
            int element = storage.dtype().byteSize();
            long bytes = expected * element;
            if ((offset + expected) * element > entry[1]) {
                throw CheckpointException.invalid(file, name, "extends past its storage");
            }
            return new TensorInfo(name, file, storage.dtype(), size, entry[0] + offset * element, bytes);
        }
    }

    private static final Object MARK = new Object();

    /** The pickle opcodes torch.save (protocol 2) and protocol 4 streams use; no class is ever instantiated. */
    private static final class Unpickler {
        private final ByteBuffer in;
        private final Path file;
        private final List<Object> stack = new ArrayList<>();
        private final Map<Long, Object> memo = new HashMap<>();

        Unpickler(ByteBuffer in, Path file) {
            this.in = in.order(ByteOrder.LITTLE_ENDIAN);
            this.file = file;
        }

        Object load() {
            while (true) {
                int op = in.get() & 0xFF;
                switch (op) {
                    case 0x80 -> in.get(); // PROTO
                    case 0x95 -> in.getLong(); // FRAME
                    case '.' -> {
                        return pop();
                    }
                    case '}' -> push(new LinkedHashMap<>());
                    case ']', 'l' -> {
                        if (op == 'l') {
                            push(new ArrayList<>(popMark()));
                        } else {
                            push(new ArrayList<>());
                        }
                    }
                    case ')' -> push(List.of());
                    case 't' -> push(Collections.unmodifiableList(popMark()));
                    case 0x85 -> push(List.of(pop()));
                    case 0x86 -> {
                        Object b = pop();
                        Object a = pop();
                        push(java.util.Arrays.asList(a, b));
                    }
                    case 0x87 -> {
                        Object c = pop();
                        Object b = pop();
                        Object a = pop();
                        push(java.util.Arrays.asList(a, b, c));
                    }
                    case '(' -> push(MARK);
                    case '0' -> pop();
                    case '1' -> popMark();
                    case '2' -> push(peek());
                    case 'N' -> push(null);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'J' -> push((long) in.getInt());
                    case 'K' -> push((long) (in.get() & 0xFF));
                    case 'M' -> push((long) (in.getShort() & 0xFFFF));
                    case 0x8a -> push(longN(in.get() & 0xFF));
                    case 0x8b -> push(longN(in.getInt()));
                    case 'G' -> {
                        in.order(ByteOrder.BIG_ENDIAN); // BINFLOAT is the one big-endian value
                        double d = in.getDouble();
                        in.order(ByteOrder.LITTLE_ENDIAN);
                        push(d);
                    }
                    case 'X' -> push(string(in.getInt()));
                    case 0x8c -> push(string(in.get() & 0xFF));
                    case 0x8d -> push(string(Math.toIntExact(in.getLong())));
                    case 'T' -> push(string(in.getInt()));
                    case 'U' -> push(string(in.get() & 0xFF));
                    case 'B' -> push(bytes(in.getInt()));
                    case 'C' -> push(bytes(in.get() & 0xFF));
                    case 'c' -> push(new Global(line(), line()));
                    case 0x93 -> {
                        String name = (String) pop();
                        String module = (String) pop();
                        push(new Global(module, name));
                    }
                    case 'q' -> memo.put((long) (in.get() & 0xFF), peek());
                    case 'r' -> memo.put(in.getInt() & 0xFFFFFFFFL, peek());
                    case 0x94 -> memo.put((long) memo.size(), peek());
                    case 'h' -> push(memoGet(in.get() & 0xFF));
                    case 'j' -> push(memoGet(in.getInt() & 0xFFFFFFFFL));
                    case 'Q' -> push(persistent(pop()));
                    case 'R' -> {
                        Object args = pop();
                        push(reduce(pop(), (List<?>) args));
                    }
                    case 0x81 -> {
                        pop(); // args
                        push(new Opaque(String.valueOf(pop())));
                    }
                    case 0x92 -> {
                        pop();
                        pop();
                        push(new Opaque(String.valueOf(pop())));
                    }
                    case 'b' -> pop(); // BUILD: object state (attributes) is not modelled
                    case 's' -> {
                        Object value = pop();
                        Object key = pop();
                        put(peek(), key, value);
                    }
                    case 'u' -> {
                        List<Object> items = popMark();
                        for (int i = 0; i + 1 < items.size(); i += 2) {
                            put(peek(), items.get(i), items.get(i + 1));
                        }
                    }
                    case 'a' -> {
                        Object value = pop();
                        add(peek(), List.of(value));
                    }
                    case 'e' -> {
                        List<Object> items = popMark();
                        add(peek(), items);
                    }
                    case 0x8f -> push(new ArrayList<>()); // EMPTY_SET
                    case 0x90 -> add(peekBelowMark(), popMark());
                    case 0x91 -> push(popMark());
                    default -> throw CheckpointException.invalid(file, null,
                            "unsupported pickle opcode 0x" + Integer.toHexString(op) + " at byte " + (in.position() - 1));
                }
            }
        }

        private Object reduce(Object callable, List<?> args) {
            if (callable instanceof Global g) {
                switch (g.qualified()) {
                    case "collections.OrderedDict", "builtins.dict" -> {
                        return new LinkedHashMap<>();
                    }
                    case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                        return new TensorRef((StorageRef) args.get(0), ((Number) args.get(1)).longValue(),
                                longs(args.get(2)), longs(args.get(3)));
                    }
                    case "torch._utils._rebuild_parameter" -> {
                        return args.get(0);
                    }
                    default -> {
                        return new Opaque(g.qualified());
                    }
                }
            }
            return new Opaque(String.valueOf(callable));
        }

        private Object persistent(Object pid) {
            if (pid instanceof List<?> t && t.size() >= 5 && "storage".equals(t.get(0)) && t.get(1) instanceof Global type) {
                return new StorageRef(storageType(type), String.valueOf(t.get(2)), ((Number) t.get(4)).longValue());
            }
            throw CheckpointException.invalid(file, null, "unsupported persistent id " + pid);
        }

        private DType storageType(Global g) {
            return switch (g.name()) {
                case "FloatStorage" -> DType.F32;
                case "HalfStorage" -> DType.F16;
                case "BFloat16Storage" -> DType.BF16;
                case "DoubleStorage" -> DType.F64;
                case "LongStorage" -> DType.I64;
                case "IntStorage" -> DType.I32;
                case "ShortStorage" -> DType.I16;
                case "CharStorage" -> DType.I8;
                case "ByteStorage" -> DType.U8;
                case "BoolStorage" -> DType.BOOL;
                default -> throw CheckpointException.invalid(file, null, "unsupported storage type " + g.qualified());
            };
        }

        private static long[] longs(Object tuple) {
            List<?> l = (List<?>) tuple;
            long[] out = new long[l.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) l.get(i)).longValue();
            }
            return out;
        }

        @SuppressWarnings("unchecked")
        private static void put(Object target, Object key, Object value) {
            if (target instanceof Map<?, ?> m) {
                ((Map<Object, Object>) m).put(key, value);
            }
        }

        @SuppressWarnings("unchecked")
        private static void add(Object target, List<Object> values) {
            if (target instanceof List<?> l) {
                ((List<Object>) l).addAll(values);
            }
        }

        private Object memoGet(long key) {
            if (!memo.containsKey(key)) {
                throw CheckpointException.invalid(file, null, "pickle memo key " + key + " is undefined");
            }
            return memo.get(key);
        }

        private Object longN(int n) {
            byte[] b = new byte[n];
            in.get(b);
            long v = 0;
            for (int i = Math.min(n, 8) - 1; i >= 0; i--) {
                v = (v << 8) | (b[i] & 0xFF);
            }
            if (n > 0 && n < 8 && (b[n - 1] & 0x80) != 0) {
                v -= 1L << (8 * n); // two's complement of an n-byte value
            }
            return v;
        }

        private String string(int length) {
            byte[] b = new byte[length];
            in.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        private byte[] bytes(int length) {
            byte[] b = new byte[length];
            in.get(b);
            return b;
        }

        private String line() {
            StringBuilder sb = new StringBuilder();
            for (byte c = in.get(); c != '\n'; c = in.get()) {
                sb.append((char) c);
            }
            return sb.toString();
        }

        private void push(Object o) {
            stack.add(o);
        }

        private Object pop() {
            return stack.remove(stack.size() - 1);
        }

        private Object peek() {
            return stack.get(stack.size() - 1);
        }

        private Object peekBelowMark() {
            int i = stack.lastIndexOf(MARK);
            return stack.get(i - 1);
        }

        private List<Object> popMark() {
            int i = stack.lastIndexOf(MARK);
            if (i < 0) {
                throw CheckpointException.invalid(file, null, "pickle stack has no mark");
            }
            List<Object> items = new ArrayList<>(stack.subList(i + 1, stack.size()));
            stack.subList(i, stack.size()).clear();
            return items;
        }
    }
}
