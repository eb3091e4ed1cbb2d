package dev.gpt4video.t2v.videocrafter;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.bundle.ComponentWriter;
import dev.gpt4video.core.bundle.DemoComponent;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.core.config.HfConfigReader;
import dev.gpt4video.t2v.nn.RandomWeights;
import dev.gpt4video.t2v.text.DemoClipVocabulary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A demo-bundle component for role {@code t2v.videocrafter1}: a converted VideoCrafter1 folder
 * ({@code model.safetensors} with the original lvdm / OpenCLIP / LDM names, {@code config.json},
 * {@code tokenizer/}) at tiny widths with seeded random weights: 3 UNet levels (attention on two),
 * fps conditioning and the scale trick on, an 8x VAE. The tensors are exactly those the loaders
 * read (the loaders are run against {@link RandomWeights} through the key remap).
 *
 * <p>Not registered in {@code META-INF/services} yet: core's {@code ModelManifest} accepts roles
 * matching {@code [a-z][a-z0-9_-]*} only (no {@code t2v.<name>}), and the server's model loader
 * does not know the {@code videocrafter1} type; see docs/videocrafter.md.
 */
public final class VideoCrafterDemo implements DemoComponent {
    public static final String ROLE = "t2v." + VideoCrafterBackend.NAME;
    public static final String TYPE = VideoCrafterBackend.NAME;
    static final int WIDTH = 64;
    static final int HEIGHT = 64;
    static final int FRAMES = 4;
    static final int STEPS = 4;

    @Override
    public String role() {
        return ROLE;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void write(ComponentWriter out) throws IOException {
        writeFolder(out.directory(), out.random().nextLong());
        options().forEach(out::option);
    }

    /** The manifest options: request defaults for the tiny model. */
    static Map<String, Object> options() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("width", WIDTH);
        o.put("height", HEIGHT);
        o.put("frames", FRAMES);
        o.put("steps", STEPS);
        o.put("fps", 8);
        o.put("fps_condition", 8);
        return o;
    }

    /** Writes the folder's files into {@code dir} with weights drawn from {@code seed}. */
    static void writeFolder(Path dir, long seed) throws IOException {
        DemoClipVocabulary vocabulary = DemoClipVocabulary.build(600);
        ObjectMapper json = new ObjectMapper();
        Files.createDirectories(dir.resolve(VideoCrafterPipeline.TOKENIZER));
        Files.writeString(dir.resolve("tokenizer/vocab.json"), json.writeValueAsString(vocabulary.vocab()));
        Files.writeString(dir.resolve("tokenizer/merges.txt"), vocabulary.mergesText());

        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_channels", 16);
        c.put("channel_mult", List.of(1, 2, 2));
        c.put("num_res_blocks", 1);
        c.put("attention_resolutions", List.of(2, 1));
        c.put("num_head_channels", 8);
        c.put("context_dim", 32);
        c.put("temporal_length", 16);
        c.put("norm_num_groups", 8);
        c.put("init_attn_heads", 2);
        c.put("fps_cond", true);
        c.put("use_scale", true);
        c.put("text_vocab_size", vocabulary.size());
        c.put("text_width", 32);
        c.put("text_layers", 3);
        c.put("text_heads", 4);
        c.put("text_mlp_width", 64);
        c.put("vae_block_out_channels", List.of(16, 16, 32, 32));
        c.put("vae_layers_per_block", 1);
        c.put("vae_norm_num_groups", 8);
        Files.writeString(dir.resolve(VideoCrafterPipeline.CONFIG), json.writeValueAsString(c) + "\n");
        VideoCrafterConfig config = HfConfigReader.convert(json.valueToTree(c), VideoCrafterConfig.class);

        try (NDManager manager = NDManager.newBaseManager()) {
            RandomWeights w = RandomWeights.recording(manager, DataType.FLOAT32, seed);
            VideoCrafterPipeline.loadTextEncoder(w, config);
            VideoCrafterUNet.load(VideoCrafterUNet.remapped(w), config, 0);
            VideoCrafterPipeline.loadVae(w, config, 0);
            SafetensorsWriter writer = new SafetensorsWriter();
            w.writeTo(writer, DType.F32);
            writer.write(dir.resolve("model.safetensors"));
        }
    }
}
