package dev.gpt4video.abstractor.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.gpt4video.abstractor.AbstractorMode;
import dev.gpt4video.abstractor.VisualPipeline;
import dev.gpt4video.abstractor.clip.ClipVisionModel;
import dev.gpt4video.abstractor.mplugowl.MplugOwlVisionModel;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.core.checkpoint.Checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a vision checkpoint on a pixel tensor and writes its outputs as JSON, for comparing this
 * port with the Python reference on the same input (float32, CPU).
 *
 * <pre>
 * VisionParityCli CHECKPOINT_DIR PIXELS.npy [--mode mplug-owl-video|paper] [--out OUT.json]
 * </pre>
 *
 * PIXELS.npy is float32 ({@code <f4}, C order): {@code [B,3,H,W]} images or {@code [B,3,T,H,W]}
 * videos (mPLUG-Owl towers). The JSON holds {@code last_hidden_state} and {@code pooler_output},
 * {@code image_embeds} for a CLIP tower with a projection, and {@code visual_embeddings} whenever an
 * abstractor runs: always for mPLUG-Owl checkpoints, for CLIP ones with {@code --mode paper}. See
 * {@code docs/abstractor.md}.
 */
public final class VisionParityCli {
    private static final String USAGE = "usage: VisionParityCli CHECKPOINT_DIR PIXELS.npy [--mode mplug-owl-video|paper] [--out OUT.json]";

    private VisionParityCli() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the CLI; returns the process exit code (0 ok, 2 bad usage, 1 failure). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> positional = new ArrayList<>();
        String mode = null;
        Path outFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mode" -> mode = i + 1 < args.length ? args[++i] : null;
                case "--out" -> outFile = i + 1 < args.length ? Path.of(args[++i]) : null;
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> positional.add(args[i]);
            }
        }
        if (positional.size() != 2 || (outFile == null && List.of(args).contains("--out"))) {
            err.println(USAGE);
            return 2;
        }
        try {
            Map<String, Object> result = compute(Path.of(positional.get(0)), Path.of(positional.get(1)), mode);
            if (outFile == null) {
                write(result, out);
                out.println();
            } else {
                try (OutputStream o = Files.newOutputStream(outFile)) {
                    write(result, o);
                }
                err.println("wrote " + outFile);
            }
            return 0;
        } catch (Gpt4VideoException e) {
            err.println("error [" + e.code().code() + "]: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    /** The outputs, keyed as in the JSON; arrays as {@link NpyFile}s (values plus shape). */
    static Map<String, Object> compute(Path dir, Path npy, String modeSetting) {
        NpyFile input = NpyFile.read(npy);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("checkpoint", dir.toAbsolutePath().normalize().toString());
        result.put("input", npy.toAbsolutePath().normalize().toString());
        result.put("input_shape", input.shape());
        VisualPipeline.TowerKind kind;
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            kind = VisualPipeline.TowerKind.detect(ckpt);
        }
        result.put("tower", kind.name().toLowerCase(Locale.ROOT));
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray pixels = manager.create(input.data(), new Shape(input.shape()));
            boolean withAbstractor = kind == VisualPipeline.TowerKind.MPLUG_OWL_VIDEO || modeSetting != null;
            if (!withAbstractor) {
                towerOutputs(ClipVisionModel.load(dir, manager, DataType.FLOAT32), pixels, result);
                return result;
            }
            AbstractorMode mode = AbstractorMode.of(modeSetting);
            result.put("abstractor_mode", mode.settingName());
            try (VisualPipeline pipeline = VisualPipeline.load(dir, mode, manager.newSubManager(), DataType.FLOAT32)) {
                if (pipeline.tower() instanceof MplugOwlVisionModel vit) {
                    MplugOwlVisionModel.Output o = vit.forward(pixels, false);
                    result.put("last_hidden_state", npy(o.lastHiddenState()));
                    result.put("pooler_output", npy(o.poolerOutput()));
                } else {
                    towerOutputs((ClipVisionModel) pipeline.tower(), pixels, result);
                }
                result.put("visual_embeddings", npy(pipeline.encode(pixels)));
            }
        }
        return result;
    }

    /** CLIP outputs; a video's frames are run as images, b-major ({@code [B·T, ...]}). */
    private static void towerOutputs(ClipVisionModel clip, NDArray pixels, Map<String, Object> result) {
        Shape s = pixels.getShape();
        NDArray images = s.dimension() == 5
                ? pixels.transpose(0, 2, 1, 3, 4).reshape(s.get(0) * s.get(2), s.get(1), s.get(3), s.get(4))
                : pixels;
        ClipVisionModel.Output o = clip.forward(images, false);
        result.put("last_hidden_state", npy(o.lastHiddenState()));
        result.put("pooler_output", npy(o.poolerOutput()));
        if (o.imageEmbeds() != null) {
            result.put("image_embeds", npy(o.imageEmbeds()));
        }
    }

    private static NpyFile npy(NDArray a) {
        return new NpyFile(a.toType(DataType.FLOAT32, false).toFloatArray(), a.getShape().getShape());
    }

    /** Arrays are written nested, as the goldens are, with float32 values in their shortest exact form. */
    static void write(Map<String, Object> result, OutputStream out) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            for (Map.Entry<String, Object> e : result.entrySet()) {
                g.writeFieldName(e.getKey());
                switch (e.getValue()) {
                    case NpyFile a -> nested(g, a, 0, 0);
                    case long[] dims -> g.writeArray(dims, 0, dims.length);
                    default -> g.writeString(String.valueOf(e.getValue()));
                }
            }
            g.writeEndObject();
        }
    }

    private static int nested(JsonGenerator g, NpyFile a, int axis, int offset) throws IOException {
        g.writeStartArray();
        if (axis == a.shape().length - 1) {
            for (int i = 0; i < a.shape()[axis]; i++) {
                g.writeNumber(a.data()[offset++]);
            }
        } else {
            for (int i = 0; i < a.shape()[axis]; i++) {
                offset = nested(g, a, axis + 1, offset);
            }
        }
        g.writeEndArray();
        return offset;
    }
}
