package dev.gpt4video.core.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.core.checkpoint.Checkpoint;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.core.runtime.InferenceRuntime;
import dev.gpt4video.core.runtime.RuntimeOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Load throughput of a generated checkpoint (default 1 GiB of F32, plus the same size in F16
 * converted to float32 on load) as a ratio to a raw sequential read of the same file, all
 * measured in one run with the page cache warm. Prints figures; asserts nothing.
 *
 * <p>Usage: {@code CheckpointLoadBenchmark [sizeMiB] [rounds] [dir]}
 */
public final class CheckpointLoadBenchmark {
    private CheckpointLoadBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int sizeMiB = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("ckpt-bench");
        Path f32 = dir.resolve("bench-f32.safetensors");
        Path f16 = dir.resolve("bench-f16.safetensors");
        write(f32, DType.F32, sizeMiB);
        write(f16, DType.F16, sizeMiB);
        try (InferenceRuntime rt = InferenceRuntime.create(RuntimeOptions.defaults())) {
            for (Path f : new Path[] {f32, f16}) {
                long bytes = Files.size(f);
                double[] raw = new double[rounds];
                double[] load = new double[rounds];
                rawRead(f); // warm the page cache
                for (int r = 0; r < rounds; r++) {
                    raw[r] = rawRead(f);
                    load[r] = loadAll(rt, f);
                }
                double rawMed = median(raw);
                double loadMed = median(load);
                System.out.printf("%s: %.0f MiB; raw sequential read %.0f MiB/s; checkpoint load to float32 NDArrays"
                                + " %.0f MiB/s; load/raw ratio %.2f (median of %d rounds)%n",
                        f.getFileName(), bytes / 1048576.0, bytes / 1048576.0 / rawMed, bytes / 1048576.0 / loadMed,
                        rawMed / loadMed, rounds);
            }
        } finally {
            Files.deleteIfExists(f32);
            Files.deleteIfExists(f16);
        }
    }

    private static void write(Path file, DType dtype, int sizeMiB) {
        int tensorMiB = 16;
        int elements = tensorMiB * 1048576 / dtype.byteSize();
        float[] values = new float[elements];
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < elements; i++) {
            values[i] = (float) rnd.nextGaussian();
        }
        SafetensorsWriter w = new SafetensorsWriter();
        for (int t = 0; t < sizeMiB / tensorMiB; t++) {
            w.putFloats("layers." + t + ".weight", dtype, new long[] {elements / 1024, 1024}, values);
        }
        w.write(file);
    }

    private static double rawRead(Path file) throws IOException {
        long t0 = System.nanoTime();
        ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long sum = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) > 0) {
                buf.flip();
                sum += buf.get(buf.limit() - 1);
                buf.clear();
            }
        }
        if (sum == Long.MIN_VALUE) {
            System.out.println(); // keeps the reads observable
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double loadAll(InferenceRuntime rt, Path file) {
        long t0 = System.nanoTime();
        try (Checkpoint c = Checkpoint.open(file); NDManager m = rt.newModelManager("bench")) {
            for (String name : c.names()) {
                NDArray a = c.load(name, m, DataType.FLOAT32);
                a.getShape();
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
