package dev.gpt4video.abstractor.cli;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A float32 array in NumPy's {@code .npy} format: versions 1.0, 2.0 and 3.0 of the header,
 * little-endian {@code <f4} only, C order only (what {@code np.save(path, x.astype('<f4'))} writes).
 *
 * <pre>{@code
 * NpyFile x = NpyFile.read(Path.of("pixels.npy"));   // x.shape() = [1, 3, 4, 224, 224]
 * }</pre>
 */
public record NpyFile(float[] data, long[] shape) {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    public NpyFile {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(data.length + " values for shape " + Arrays.toString(shape));
        }
    }

    public static NpyFile read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw invalid(file, "cannot read: " + e.getMessage());
        }
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw invalid(file, "not an .npy file (no \\x93NUMPY magic)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        int headerLength;
        int offset;
        switch (major) {
            case 1 -> {
                headerLength = Short.toUnsignedInt(b.getShort(8));
                offset = 10;
            }
            case 2, 3 -> {
                if (bytes.length < 12) {
                    throw invalid(file, "truncated header");
                }
                headerLength = b.getInt(8);
                offset = 12;
            }
            default -> throw invalid(file, "format version " + major + "." + bytes[7] + " is not 1.x, 2.x or 3.x");
        }
        if (headerLength < 0 || offset + (long) headerLength > bytes.length) {
            throw invalid(file, "header of " + headerLength + " bytes runs past the end of the file");
        }
        String header = new String(bytes, offset, headerLength, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(file, DESCR, header, "descr");
        if (!descr.equals("<f4")) {
            throw invalid(file, "dtype '" + descr + "' is not '<f4' (little-endian float32); save with x.astype('<f4')");
        }
        if (group(file, FORTRAN, header, "fortran_order").equals("True")) {
            throw invalid(file, "Fortran order is not supported; save np.ascontiguousarray(x)");
        }
        long[] shape = parseShape(file, group(file, SHAPE, header, "shape"));
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        int dataStart = offset + headerLength;
        if (bytes.length - dataStart != count * 4) {
            throw invalid(file, "holds " + (bytes.length - dataStart) + " data bytes but shape " + Arrays.toString(shape)
                    + " needs " + count * 4);
        }
        float[] data = new float[Math.toIntExact(count)];
        b.position(dataStart);
        b.asFloatBuffer().get(data);
        return new NpyFile(data, shape);
    }

    /** Writes a version 1.0 file (header padded to a multiple of 64 bytes, as NumPy does). */
    public void write(Path file) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.length == 1 ? "(" + shape[0] + ",)"
                : "(" + (shape.length == 0 ? "" : dims.substring(0, dims.length() - 2)) + ")";
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int unpadded = 10 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(padded - unpadded) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        out.asFloatBuffer().put(data);
        Files.write(file, out.array());
    }

    private static String group(Path file, Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw invalid(file, "header has no valid '" + key + "': " + header.trim());
        }
        return m.group(1);
    }

    private static long[] parseShape(Path file, String text) {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                long d = Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
                if (d < 0) {
                    throw new NumberFormatException();
                }
                dims.add(d);
            } catch (NumberFormatException e) {
                throw invalid(file, "bad shape (" + text + ")");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static Gpt4VideoException invalid(Path file, String message) {
        return new Gpt4VideoException(ErrorCode.INVALID_REQUEST, file + ": " + message);
    }
}
