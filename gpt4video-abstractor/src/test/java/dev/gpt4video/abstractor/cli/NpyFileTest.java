package dev.gpt4video.abstractor.cli;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyFileTest {

    /** Builds a file byte by byte the way NumPy lays it out, independently of {@link NpyFile#write}. */
    private static byte[] npy(int major, String dict, float... values) {
        int prefix = major == 1 ? 10 : 12;
        int unpadded = prefix + dict.length() + 1;
        String header = dict + " ".repeat((unpadded + 63) / 64 * 64 - unpadded) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            len.putShort((short) header.length());
        } else {
            len.putInt(header.length());
        }
        out.writeBytes(len.array());
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            data.putFloat(v);
        }
        out.writeBytes(data.array());
        return out.toByteArray();
    }

    @Test
    void readsVersionOneAndTwoHeaders(@TempDir Path tmp) throws Exception {
        for (int major : new int[] {1, 2, 3}) {
            Path f = tmp.resolve("v" + major + ".npy");
            Files.write(f, npy(major, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 1, 2, 3, 4, 5, -6.5f));
            NpyFile a = NpyFile.read(f);
            assertThat(a.shape()).containsExactly(2, 3);
            assertThat(a.data()).containsExactly(1, 2, 3, 4, 5, -6.5f);
        }
    }

    @Test
    void writeThenReadRoundTrips(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("x.npy");
        new NpyFile(new float[] {0.25f, Float.MIN_VALUE, -3e38f}, new long[] {3}).write(f);
        byte[] bytes = Files.readAllBytes(f);
        assertThat((bytes.length - 12) % 64).as("header padded to 64").isEqualTo(0);
        assertThat(new String(bytes, 10, 60, StandardCharsets.US_ASCII)).contains("'shape': (3,)");
        assertThat(NpyFile.read(f).data()).containsExactly(0.25f, Float.MIN_VALUE, -3e38f);
        new NpyFile(new float[] {7}, new long[] {}).write(f);
        assertThat(NpyFile.read(f).shape()).isEmpty();
    }

    @Test
    void rejectsWhatItCannotRead(@TempDir Path tmp) throws Exception {
        String[][] bad = {
                {"{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "'>f4'"},
                {"{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", "'<f8'"},
                {"{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", "Fortran"},
                {"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "data bytes"},
                {"{'descr': '<f4', 'fortran_order': False}", "'shape'"},
        };
        for (String[] c : bad) {
            Path f = tmp.resolve("bad.npy");
            Files.write(f, npy(1, c[0], 1f));
            assertThatThrownBy(() -> NpyFile.read(f)).as(c[0]).isInstanceOfSatisfying(Gpt4VideoException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST)).hasMessageContaining(c[1]);
        }
        Path f = tmp.resolve("png.npy");
        Files.write(f, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0, 0, 0, 0});
        assertThatThrownBy(() -> NpyFile.read(f)).hasMessageContaining("magic");
    }
}
