package dev.gpt4video.t2v.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Moves an MP4's {@code moov} box in front of its media data so that a browser can start playing
 * (and seek with range requests) after the first few kilobytes instead of the whole file.
 *
 * <p>Muxers that write samples as they come, JCodec's among them, can only write the sample tables
 * ({@code moov}) at the end. Moving {@code moov} forward shifts every sample by the size of
 * {@code moov}, so the chunk offset tables ({@code stco}, 32-bit, and {@code co64}, 64-bit) of every
 * track are rewritten; an {@code stco} whose shifted offsets no longer fit in 32 bits becomes a
 * {@code co64}. Box layout as in ISO/IEC 14496-12 section 4.2 (size, type, optional 64-bit size;
 * size 0 means "to the end of the file").
 */
public final class FastStart {
    /** Boxes on the path from {@code moov} down to the chunk offset tables. */
    private static final Set<String> CONTAINERS = Set.of("moov", "trak", "mdia", "minf", "stbl");
    private static final long MAX_MOOV_BYTES = 256L << 20;

    private FastStart() {
    }

    /** A box at the top level of a file. */
    public record TopBox(String type, long offset, long size) {
        long end() {
            return offset + size;
        }
    }

    /** True when the file's {@code moov} comes before its first {@code mdat}. */
    public static boolean isFastStart(Path mp4) throws IOException {
        try (FileChannel in = FileChannel.open(mp4, StandardOpenOption.READ)) {
            List<TopBox> boxes = topLevelBoxes(in);
            return indexOf(boxes, "moov") >= 0 && indexOf(boxes, "moov") < indexOf(boxes, "mdat");
        }
    }

    /** The top-level boxes of an MP4 file, in file order. */
    public static List<TopBox> topLevelBoxes(FileChannel in) throws IOException {
        List<TopBox> boxes = new ArrayList<>();
        long fileSize = in.size();
        long offset = 0;
        ByteBuffer header = ByteBuffer.allocate(16);
        while (offset + 8 <= fileSize) {
            header.clear().limit(8);
            readFully(in, header, offset);
            header.flip();
            long size = Integer.toUnsignedLong(header.getInt());
            String type = fourCc(header.getInt());
            if (size == 1) {
                header.clear().limit(8);
                readFully(in, header, offset + 8);
                header.flip();
                size = header.getLong();
            } else if (size == 0) {
                size = fileSize - offset;
            }
            if (size < 8 || offset + size > fileSize) {
                throw new IOException("not an MP4: box '" + type + "' at " + offset + " has size " + size
                        + " in a file of " + fileSize + " bytes");
            }
            boxes.add(new TopBox(type, offset, size));
            offset += size;
        }
        return boxes;
    }

    /**
     * Writes {@code in} to {@code out} with {@code moov} placed before the first {@code mdat}; a file
     * that is already fast-start is copied unchanged.
     */
    public static void rewrite(Path in, Path out) throws IOException {
        try (FileChannel src = FileChannel.open(in, StandardOpenOption.READ);
             FileChannel dst = FileChannel.open(out, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            List<TopBox> boxes = topLevelBoxes(src);
            int moovIndex = indexOf(boxes, "moov");
            int mdatIndex = indexOf(boxes, "mdat");
            if (moovIndex < 0 || mdatIndex < 0) {
                throw new IOException("not an MP4 with samples: moov " + (moovIndex >= 0 ? "found" : "missing")
                        + ", mdat " + (mdatIndex >= 0 ? "found" : "missing"));
            }
            if (moovIndex < mdatIndex) {
                copy(src, 0, src.size(), dst);
                return;
            }
            TopBox moov = boxes.get(moovIndex);
            if (moov.size() > MAX_MOOV_BYTES) {
                throw new IOException("moov of " + moov.size() + " bytes is larger than " + MAX_MOOV_BYTES);
            }
            ByteBuffer moovBytes = ByteBuffer.allocate((int) moov.size());
            readFully(src, moovBytes, moov.offset());
            moovBytes.flip();
            Box tree = parse(moovBytes);

            long insertAt = boxes.get(mdatIndex).offset();
            byte[] relocated = relocate(tree, insertAt, moov);

            copy(src, 0, insertAt, dst);
            dst.write(ByteBuffer.wrap(relocated));
            copy(src, insertAt, moov.offset() - insertAt, dst);
            copy(src, moov.end(), src.size() - moov.end(), dst);
        }
    }

    /**
     * Serializes {@code moov} with its chunk offsets moved to where the data will be once the new
     * {@code moov} sits at {@code insertAt}. The new size depends on whether any {@code stco} has to
     * grow into a {@code co64}, which depends on the new size, so this repeats until nothing grows
     * (at most once per table).
     */
    private static byte[] relocate(Box moov, long insertAt, TopBox oldMoov) throws IOException {
        while (true) {
            long newSize = moov.size();
            boolean grew = false;
            for (ChunkOffsets table : chunkOffsetTables(moov, new ArrayList<>())) {
                if (!table.wide) {
                    for (long offset : table.offsets) {
                        if (shifted(offset, insertAt, oldMoov, newSize) > 0xFFFF_FFFFL) {
                            table.wide = true;
                            grew = true;
                            break;
                        }
                    }
                }
            }
            if (grew) {
                continue;
            }
            for (ChunkOffsets table : chunkOffsetTables(moov, new ArrayList<>())) {
                long[] moved = new long[table.offsets.length];
                for (int i = 0; i < moved.length; i++) {
                    moved[i] = shifted(table.offsets[i], insertAt, oldMoov, newSize);
                }
                table.offsets = moved;
            }
            ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(newSize));
            moov.write(out);
            return out.array();
        }
    }

    /** Where a byte at {@code offset} of the old file lands in the new one. */
    private static long shifted(long offset, long insertAt, TopBox oldMoov, long newMoovSize) throws IOException {
        if (offset < insertAt) {
            return offset;
        }
        if (offset < oldMoov.offset()) {
            return offset + newMoovSize;
        }
        if (offset >= oldMoov.end()) {
            return offset - oldMoov.size() + newMoovSize;
        }
        throw new IOException("chunk offset " + offset + " points into the moov box");
    }

    private static List<ChunkOffsets> chunkOffsetTables(Box box, List<ChunkOffsets> found) {
        if (box instanceof ChunkOffsets table) {
            found.add(table);
        } else if (box instanceof Container container) {
            for (Box child : container.children) {
                chunkOffsetTables(child, found);
            }
        }
        return found;
    }

    /** Parses one box (header included) from the buffer's position up to its limit. */
    private static Box parse(ByteBuffer buf) throws IOException {
        int start = buf.position();
        long size = Integer.toUnsignedLong(buf.getInt());
        String type = fourCc(buf.getInt());
        if (size == 1) {
            size = buf.getLong();
        } else if (size == 0) {
            size = buf.limit() - start;
        }
        int headerSize = buf.position() - start;
        if (size < headerSize || start + size > buf.limit()) {
            throw new IOException("box '" + type + "' of size " + size + " overruns its parent");
        }
        ByteBuffer body = buf.slice(buf.position(), (int) size - headerSize);
        buf.position(start + (int) size);

        if (CONTAINERS.contains(type)) {
            List<Box> children = new ArrayList<>();
            while (body.remaining() >= 8) {
                children.add(parse(body));
            }
            if (body.hasRemaining()) {
                // Some writers pad containers with fewer than 8 zero bytes; keep them.
                byte[] tail = new byte[body.remaining()];
                body.get(tail);
                children.add(new Raw(null, tail));
            }
            return new Container(type, children);
        }
        if (type.equals("stco") || type.equals("co64")) {
            boolean wide = type.equals("co64");
            int versionAndFlags = body.getInt();
            int count = body.getInt();
            if (count < 0 || (long) count * (wide ? 8 : 4) > body.remaining()) {
                throw new IOException(type + " claims " + Integer.toUnsignedString(count) + " entries in "
                        + body.remaining() + " bytes");
            }
            long[] offsets = new long[count];
            for (int i = 0; i < count; i++) {
                offsets[i] = wide ? body.getLong() : Integer.toUnsignedLong(body.getInt());
            }
            return new ChunkOffsets(versionAndFlags, wide, offsets);
        }
        byte[] payload = new byte[body.remaining()];
        body.get(payload);
        return new Raw(type, payload);
    }

    private abstract static sealed class Box permits Container, ChunkOffsets, Raw {
        abstract long size();

        abstract void write(ByteBuffer out);

        static void header(ByteBuffer out, long size, String type) {
            out.putInt(Math.toIntExact(size));
            out.put(type.getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private static final class Container extends Box {
        final String type;
        final List<Box> children;

        Container(String type, List<Box> children) {
            this.type = type;
            this.children = children;
        }

        @Override
        long size() {
            long size = 8;
            for (Box child : children) {
                size += child.size();
            }
            return size;
        }

        @Override
        void write(ByteBuffer out) {
            header(out, size(), type);
            for (Box child : children) {
                child.write(out);
            }
        }
    }

    private static final class ChunkOffsets extends Box {
        final int versionAndFlags;
        boolean wide;
        long[] offsets;

        ChunkOffsets(int versionAndFlags, boolean wide, long[] offsets) {
            this.versionAndFlags = versionAndFlags;
            this.wide = wide;
            this.offsets = offsets;
        }

        @Override
        long size() {
            return 16 + (long) offsets.length * (wide ? 8 : 4);
        }

        @Override
        void write(ByteBuffer out) {
            header(out, size(), wide ? "co64" : "stco");
            out.putInt(versionAndFlags);
            out.putInt(offsets.length);
            for (long offset : offsets) {
                if (wide) {
                    out.putLong(offset);
                } else {
                    out.putInt((int) offset);
                }
            }
        }
    }

    /** Any other box, kept byte for byte; a null type marks trailing padding inside a container. */
    private static final class Raw extends Box {
        final String type;
        final byte[] payload;

        Raw(String type, byte[] payload) {
            this.type = type;
            this.payload = payload;
        }

        @Override
        long size() {
            return type == null ? payload.length : 8L + payload.length;
        }

        @Override
        void write(ByteBuffer out) {
            if (type != null) {
                header(out, size(), type);
            }
            out.put(payload);
        }
    }

    private static int indexOf(List<TopBox> boxes, String type) {
        for (int i = 0; i < boxes.size(); i++) {
            if (boxes.get(i).type().equals(type)) {
                return i;
            }
        }
        return -1;
    }

    private static String fourCc(int value) {
        byte[] b = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static void readFully(FileChannel in, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = in.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + pos);
            }
            pos += n;
        }
    }

    private static void copy(FileChannel src, long position, long count, FileChannel dst) throws IOException {
        long done = 0;
        while (done < count) {
            long n = src.transferTo(position + done, count - done, dst);
            if (n <= 0) {
                throw new IOException("short copy at " + (position + done));
            }
            done += n;
        }
    }
}
