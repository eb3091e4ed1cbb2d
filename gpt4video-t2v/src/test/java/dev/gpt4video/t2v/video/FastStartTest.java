package dev.gpt4video.t2v.video;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hand-built files: ftyp, mdat with known chunks, then moov/trak/mdia/minf/stbl/{stco|co64}. */
class FastStartTest {
    @TempDir
    Path dir;

    private static final byte[] CHUNK_A = "first chunk".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNK_B = "second chunk!".getBytes(StandardCharsets.US_ASCII);

    @Test
    void movesMoovBeforeMdatAndShiftsStcoToTheSameBytes() throws Exception {
        assertChunksFollowTheMove(false, false);
    }

    @Test
    void shiftsCo64Offsets() throws Exception {
        assertChunksFollowTheMove(true, false);
    }

    @Test
    void handlesMdatWithA64BitSize() throws Exception {
        assertChunksFollowTheMove(false, true);
    }

    @Test
    void copiesAFastStartFileUnchanged() throws Exception {
        Path in = dir.resolve("in.mp4");
        Path once = dir.resolve("once.mp4");
        Path twice = dir.resolve("twice.mp4");
        Files.write(in, file(false, false));
        FastStart.rewrite(in, once);
        FastStart.rewrite(once, twice);

        assertThat(Files.readAllBytes(twice)).isEqualTo(Files.readAllBytes(once));
    }

    @Test
    void rejectsAFileWithoutMoov() throws Exception {
        Path in = dir.resolve("in.mp4");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        box(out, "ftyp", "isom".getBytes(StandardCharsets.US_ASCII));
        box(out, "mdat", CHUNK_A);
        Files.write(in, bytes.toByteArray());

        assertThatThrownBy(() -> FastStart.rewrite(in, dir.resolve("out.mp4")))
                .isInstanceOf(IOException.class).hasMessageContaining("moov missing");
    }

    @Test
    void rejectsABoxRunningPastTheEnd() throws Exception {
        Path in = dir.resolve("in.mp4");
        Files.write(in, new byte[] {0, 0, 0, 64, 'f', 't', 'y', 'p', 0, 0});

        assertThatThrownBy(() -> FastStart.rewrite(in, dir.resolve("out.mp4")))
                .isInstanceOf(IOException.class).hasMessageContaining("not an MP4");
    }

    private void assertChunksFollowTheMove(boolean co64, boolean largeMdat) throws Exception {
        Path in = dir.resolve("in.mp4");
        Path out = dir.resolve("out.mp4");
        Files.write(in, file(co64, largeMdat));
        assertThat(DecodedMp4.boxes(in)).containsExactly("ftyp", "mdat", "moov");

        FastStart.rewrite(in, out);

        byte[] result = Files.readAllBytes(out);
        assertThat(DecodedMp4.boxes(out)).containsExactly("ftyp", "moov", "mdat");
        assertThat(result.length).isEqualTo(Files.size(in));
        long[] offsets = chunkOffsets(result, co64);
        assertThat(offsets).hasSize(2);
        assertThat(slice(result, offsets[0], CHUNK_A.length)).isEqualTo(CHUNK_A);
        assertThat(slice(result, offsets[1], CHUNK_B.length)).isEqualTo(CHUNK_B);
    }

    private static byte[] file(boolean co64, boolean largeMdat) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        box(out, "ftyp", "isom\0\0\0\0isomavc1".getBytes(StandardCharsets.US_ASCII));
        long mdatHeader = largeMdat ? 16 : 8;
        long chunkA = out.size() + mdatHeader;
        long chunkB = chunkA + CHUNK_A.length;
        int mdatSize = (int) mdatHeader + CHUNK_A.length + CHUNK_B.length;
        if (largeMdat) {
            out.writeInt(1);
            out.writeBytes("mdat");
            out.writeLong(mdatSize);
        } else {
            out.writeInt(mdatSize);
            out.writeBytes("mdat");
        }
        out.write(CHUNK_A);
        out.write(CHUNK_B);

        ByteArrayOutputStream table = new ByteArrayOutputStream();
        DataOutputStream t = new DataOutputStream(table);
        t.writeInt(0);
        t.writeInt(2);
        for (long offset : new long[] {chunkA, chunkB}) {
            if (co64) {
                t.writeLong(offset);
            } else {
                t.writeInt((int) offset);
            }
        }
        byte[] stbl = concat(boxBytes("stsd", new byte[8]), boxBytes(co64 ? "co64" : "stco", table.toByteArray()));
        byte[] minf = concat(boxBytes("vmhd", new byte[12]), boxBytes("stbl", stbl));
        byte[] mdia = concat(boxBytes("mdhd", new byte[24]), boxBytes("minf", minf));
        byte[] trak = concat(boxBytes("tkhd", new byte[84]), boxBytes("mdia", mdia));
        byte[] moov = concat(boxBytes("mvhd", new byte[100]), boxBytes("trak", trak));
        box(out, "moov", moov);
        return bytes.toByteArray();
    }

    /** Finds the stco/co64 payload by scanning for its type, independently of FastStart's parser. */
    private static long[] chunkOffsets(byte[] file, boolean co64) {
        String type = co64 ? "co64" : "stco";
        for (int i = 4; i + 4 <= file.length; i++) {
            if (new String(file, i, 4, StandardCharsets.ISO_8859_1).equals(type)) {
                ByteBuffer buf = ByteBuffer.wrap(file, i + 8, file.length - i - 8);
                long[] offsets = new long[buf.getInt()];
                for (int k = 0; k < offsets.length; k++) {
                    offsets[k] = co64 ? buf.getLong() : Integer.toUnsignedLong(buf.getInt());
                }
                return offsets;
            }
        }
        throw new AssertionError("no " + type);
    }

    private static byte[] slice(byte[] file, long offset, int length) {
        byte[] out = new byte[length];
        System.arraycopy(file, (int) offset, out, 0, length);
        return out;
    }

    private static void box(DataOutputStream out, String type, byte[] payload) throws IOException {
        out.write(boxBytes(type, payload));
    }

    private static byte[] boxBytes(String type, byte[] payload) {
        ByteBuffer buf = ByteBuffer.allocate(8 + payload.length);
        buf.putInt(8 + payload.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(payload);
        return buf.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
