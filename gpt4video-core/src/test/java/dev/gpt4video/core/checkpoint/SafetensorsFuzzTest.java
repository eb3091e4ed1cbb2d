package dev.gpt4video.core.checkpoint;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * 1,000 corrupted safetensors files: every failure must be the library's own exception (naming
 * the file), never another throwable and never a JVM crash. A mutation that happens to leave a
 * valid file must load completely.
 */
class SafetensorsFuzzTest {
    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static final String[] TOKENS = {"\"F32\"", "\"F16\"", "\"BF16\"", "\"I64\"", "\"U8\"", "\"BOOL\"", "\"Q4\"",
            "-1", "0", "7", "64", "99999999999", "18446744073709551615", "1e3", "null", "[]", "{}", "\"x\"", "[1,2,3]",
            "true", ",", ":", "\"data_offsets\"", "\"shape\"", "\"dtype\"", "\"__metadata__\""};

    @Test
    void corruptedFilesOnlyRaiseCheckpointException() throws IOException {
        byte[] valid = validFile();
        int headerLen = (int) ByteBuffer.wrap(valid, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Random rnd = new Random(20261122);
        int rejected = 0;
        int loaded = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] bytes = mutate(valid, headerLen, rnd, i % 8);
            Path f = dir.resolve("fuzz" + i + ".safetensors");
            Files.write(f, bytes);
            try (Checkpoint c = Checkpoint.open(f)) {
                for (String name : c.names()) {
                    TensorInfo info = c.info(name);
                    c.load(name, manager, info.dtype().isFloating() ? DataType.FLOAT32 : null).close();
                    if (info.dtype().isFloating()) {
                        c.floats(name);
                    }
                }
                loaded++;
            } catch (CheckpointException e) {
                assertThat(e.getMessage()).contains(f.toString());
                rejected++;
            } catch (Throwable t) {
                fail("mutation " + i + " (kind " + (i % 8) + ") raised " + t, t);
            }
            Files.delete(f);
        }
        assertThat(rejected).as("most mutations must be detected").isGreaterThan(600);
        assertThat(rejected + loaded).isEqualTo(1000);
    }

    private static byte[] validFile() throws IOException {
        Path tmp = Files.createTempFile("valid", ".safetensors");
        new SafetensorsWriter()
                .putFloats("a.weight", DType.F32, new long[] {4, 3}, new float[12])
                .putFloats("b.weight", DType.F16, new long[] {5}, new float[] {1, 2, 3, 4, 5})
                .putFloats("c.weight", DType.BF16, new long[] {2, 2}, new float[] {1, -1, 2, -2})
                .putLongs("d.ids", new long[] {2}, new long[] {1, 2})
                .putUnsignedBytes("e.mask", DType.BOOL, new long[] {3}, new byte[] {1, 0, 1})
                .write(tmp);
        byte[] b = Files.readAllBytes(tmp);
        Files.delete(tmp);
        return b;
    }

    private static byte[] mutate(byte[] valid, int headerLen, Random rnd, int kind) {
        byte[] b = valid.clone();
        switch (kind) {
            case 0 -> { // truncate anywhere
                return Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            case 1 -> { // random header length
                long len = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextLong();
                    case 1 -> b.length + rnd.nextInt(1000);
                    case 2 -> -rnd.nextInt(100);
                    default -> rnd.nextInt(headerLen + 16);
                };
                ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(len);
                return b;
            }
            case 2 -> { // flip bytes inside the header
                int flips = 1 + rnd.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    b[8 + rnd.nextInt(headerLen)] = (byte) rnd.nextInt(256);
                }
                return b;
            }
            case 3 -> { // replace a JSON token with another
                String header = new String(b, 8, headerLen, StandardCharsets.UTF_8);
                String[] parts = header.split("(?<=[,:\\[\\]{}])|(?=[,:\\[\\]{}])");
                parts[rnd.nextInt(parts.length)] = TOKENS[rnd.nextInt(TOKENS.length)];
                return withHeader(valid, headerLen, String.join("", parts));
            }
            case 4 -> { // change a number inside offsets or shapes
                String header = new String(b, 8, headerLen, StandardCharsets.UTF_8);
                var m = java.util.regex.Pattern.compile("\\d+").matcher(header);
                int count = (int) m.results().count();
                m.reset();
                int target = rnd.nextInt(Math.max(1, count));
                StringBuilder sb = new StringBuilder();
                int idx = 0;
                while (m.find()) {
                    String repl = idx++ == target ? Long.toString(rnd.nextInt(3) == 0 ? rnd.nextLong() >>> 1 : rnd.nextInt(200)) : m.group();
                    m.appendReplacement(sb, repl);
                }
                m.appendTail(sb);
                return withHeader(valid, headerLen, sb.toString());
            }
            case 5 -> { // random bytes, sometimes with a plausible length prefix
                byte[] r = new byte[rnd.nextInt(200)];
                rnd.nextBytes(r);
                if (r.length >= 8 && rnd.nextBoolean()) {
                    ByteBuffer.wrap(r, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(rnd.nextInt(r.length));
                }
                return r;
            }
            case 6 -> { // header cut short, file otherwise intact
                String header = new String(b, 8, headerLen, StandardCharsets.UTF_8);
                return withHeader(valid, headerLen, header.substring(0, rnd.nextInt(header.length())));
            }
            default -> { // drop data bytes from the end or the middle of the data section
                int cut = 1 + rnd.nextInt(Math.max(1, b.length - 8 - headerLen));
                if (rnd.nextBoolean()) {
                    return Arrays.copyOf(b, b.length - cut);
                }
                byte[] out = new byte[b.length - 1];
                int at = 8 + headerLen + rnd.nextInt(b.length - 8 - headerLen);
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + 1, out, at, b.length - at - 1);
                return out;
            }
        }
    }

    private static byte[] withHeader(byte[] valid, int oldHeaderLen, String header) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(valid, 8 + oldHeaderLen, valid.length);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(data);
        return out.array();
    }
}
