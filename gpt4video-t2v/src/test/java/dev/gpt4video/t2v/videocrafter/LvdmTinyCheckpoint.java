package dev.gpt4video.t2v.videocrafter;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.t2v.text.DemoClipVocabulary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A tiny VideoCrafter1 checkpoint folder written the way lvdm's modules name their parameters
 * (enumerated here from the Python module tree, independently of {@link VideoCrafterKeys}):
 * {@code model.safetensors} with seeded random values, {@code config.json}, {@code tokenizer/}.
 *
 * <p>Tiny config: model_channels 16, channel_mult (1, 2), one res block, attention at both levels,
 * heads of 8, context 32, temporal_length 4, 8 groups; text width 32, 3 stored blocks (2 run),
 * 4 heads; VAE (16, 32), one res block per level, 8 groups (2x upsampling).
 */
final class LvdmTinyCheckpoint {
    static final int MC = 16;
    static final int[] MULT = {1, 2};
    static final int HEAD = 8;
    static final int CTX = 32;
    static final int TL = 4;
    static final int GROUPS = 8;
    static final int INIT_HEADS = 8;
    static final int TEXT_LAYERS = 3;
    static final int TEXT_MLP = 48;
    static final int[] VAE = {16, 32};

    final Map<String, float[]> values = new TreeMap<>();
    final Map<String, long[]> shapes = new TreeMap<>();
    private final Random random;
    private final int vocab;
    private final boolean fps;
    private final boolean scale;

    LvdmTinyCheckpoint(long seed, int vocab, boolean fps, boolean scale) {
        this.random = new Random(seed);
        this.vocab = vocab;
        this.fps = fps;
        this.scale = scale;
        unet("model.diffusion_model.");
        text("cond_stage_model.model.");
        vae("first_stage_model.");
        put("betas", 0, 1000);
        put("alphas_cumprod", 0, 1000);
        if (scale) {
            put("scale_arr", 0, 1000);
        }
    }

    /** Writes the folder (weights, config, tokenizer) and returns it. */
    static Path writeFolder(Path dir, long seed, boolean fps, boolean scale) throws IOException {
        DemoClipVocabulary vocabulary = DemoClipVocabulary.build(200);
        LvdmTinyCheckpoint ckpt = new LvdmTinyCheckpoint(seed, vocabulary.size(), fps, scale);
        Files.createDirectories(dir.resolve("tokenizer"));
        ObjectMapper json = new ObjectMapper();
        Files.writeString(dir.resolve("tokenizer/vocab.json"), json.writeValueAsString(vocabulary.vocab()));
        Files.writeString(dir.resolve("tokenizer/merges.txt"), vocabulary.mergesText());
        Files.writeString(dir.resolve("config.json"), json.writeValueAsString(config(vocabulary.size())));
        ckpt.write(dir.resolve("model.safetensors"));
        return dir;
    }

    static Map<String, Object> config(int vocab) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model_channels", MC);
        c.put("channel_mult", List.of(MULT[0], MULT[1]));
        c.put("num_res_blocks", 1);
        c.put("attention_resolutions", List.of(1, 2));
        c.put("num_head_channels", HEAD);
        c.put("context_dim", CTX);
        c.put("temporal_length", TL);
        c.put("norm_num_groups", GROUPS);
        c.put("init_attn_heads", INIT_HEADS);
        c.put("text_vocab_size", vocab);
        c.put("text_width", CTX);
        c.put("text_layers", TEXT_LAYERS);
        c.put("text_heads", 4);
        c.put("text_mlp_width", TEXT_MLP);
        c.put("vae_block_out_channels", List.of(VAE[0], VAE[1]));
        c.put("vae_layers_per_block", 1);
        c.put("vae_norm_num_groups", GROUPS);
        return c;
    }

    static VideoCrafterConfig videoCrafterConfig(int vocab) {
        return dev.gpt4video.core.config.HfConfigReader.convert(new ObjectMapper().valueToTree(config(vocab)),
                VideoCrafterConfig.class);
    }

    void write(Path file) {
        SafetensorsWriter w = new SafetensorsWriter();
        values.forEach((name, data) -> w.putFloats(name, DType.F32, shapes.get(name), data));
        w.write(file);
    }

    /**
     * Writes the tensors as {@code torch.save} would (zip of stored entries {@code archive/data.pkl}
     * and {@code archive/data/<key>}, pickle protocol 2): a Lightning-style {@code {"state_dict": OrderedDict}}.
     */
    void writeTorchZip(Path file) throws IOException {
        java.io.ByteArrayOutputStream pkl = new java.io.ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2, '}'});
        unicode(pkl, "state_dict");
        global(pkl, "collections", "OrderedDict");
        pkl.write(new byte[] {')', 'R', '('});
        List<String> names = new java.util.ArrayList<>(values.keySet());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            long[] shape = shapes.get(name);
            unicode(pkl, name);
            global(pkl, "torch._utils", "_rebuild_tensor_v2");
            pkl.write('(');
            pkl.write('(');
            unicode(pkl, "storage");
            global(pkl, "torch", "FloatStorage");
            unicode(pkl, Integer.toString(i));
            unicode(pkl, "cpu");
            integer(pkl, values.get(name).length);
            pkl.write(new byte[] {'t', 'Q'});
            integer(pkl, 0);
            pkl.write('(');
            for (long d : shape) {
                integer(pkl, (int) d);
            }
            pkl.write('t');
            pkl.write('(');
            long stride = 1;
            long[] strides = new long[shape.length];
            for (int k = shape.length - 1; k >= 0; k--) {
                strides[k] = stride;
                stride *= shape[k];
            }
            for (long st : strides) {
                integer(pkl, (int) st);
            }
            pkl.write(new byte[] {'t', (byte) 0x89});
            global(pkl, "collections", "OrderedDict");
            pkl.write(new byte[] {')', 'R', 't', 'R'});
        }
        pkl.write(new byte[] {'u', 's', '.'});
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
            stored(zip, "archive/data.pkl", pkl.toByteArray());
            for (int i = 0; i < names.size(); i++) {
                float[] v = values.get(names.get(i));
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                stored(zip, "archive/data/" + i, b.array());
            }
            stored(zip, "archive/version", "3\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static void unicode(java.io.ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.write('X');
        integerBytes(out, b.length);
        out.writeBytes(b);
    }

    private static void global(java.io.ByteArrayOutputStream out, String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void integer(java.io.ByteArrayOutputStream out, int v) {
        out.write('J');
        integerBytes(out, v);
    }

    private static void integerBytes(java.io.ByteArrayOutputStream out, int v) {
        out.write(v & 0xFF);
        out.write((v >>> 8) & 0xFF);
        out.write((v >>> 16) & 0xFF);
        out.write((v >>> 24) & 0xFF);
    }

    private static void stored(java.util.zip.ZipOutputStream zip, String name, byte[] data) throws IOException {
        java.util.zip.ZipEntry e = new java.util.zip.ZipEntry(name);
        e.setMethod(java.util.zip.ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    // ---- lvdm openaimodel3d.UNetModel ----

    private void unet(String p) {
        int temb = MC * 4;
        linear(p + "time_embed.0", temb, MC);
        linear(p + "time_embed.2", temb, temb);
        if (fps) {
            linear(p + "fps_embedding.0", temb, MC);
            linear(p + "fps_embedding.2", temb, temb);
        }
        conv(p + "input_blocks.0.0", MC, 4, 3);
        temporal(p + "init_attn.0.", MC, INIT_HEADS, true);
        List<Integer> chans = new java.util.ArrayList<>(List.of(MC));
        int ch = MC;
        int k = 1;
        for (int level = 0; level < MULT.length; level++) {
            int out = MC * MULT[level];
            res(p + "input_blocks." + k + ".0.", ch, out);
            ch = out;
            spatial(p + "input_blocks." + k + ".1.", ch);
            temporal(p + "input_blocks." + k + ".2.", ch, ch / HEAD, false);
            chans.add(ch);
            k++;
            if (level < MULT.length - 1) {
                conv(p + "input_blocks." + k + ".0.op", ch, ch, 3);
                chans.add(ch);
                k++;
            }
        }
        res(p + "middle_block.0.", ch, ch);
        spatial(p + "middle_block.1.", ch);
        temporal(p + "middle_block.2.", ch, ch / HEAD, false);
        res(p + "middle_block.3.", ch, ch);
        k = 0;
        for (int level = MULT.length - 1; level >= 0; level--) {
            int out = MC * MULT[level];
            for (int j = 0; j < 2; j++) {
                int skip = chans.remove(chans.size() - 1);
                res(p + "output_blocks." + k + ".0.", ch + skip, out);
                ch = out;
                spatial(p + "output_blocks." + k + ".1.", ch);
                temporal(p + "output_blocks." + k + ".2.", ch, ch / HEAD, false);
                if (level > 0 && j == 1) {
                    conv(p + "output_blocks." + k + ".3.conv", ch, ch, 3);
                }
                k++;
            }
        }
        norm(p + "out.0", MC);
        conv(p + "out.2", 4, MC, 3);
    }

    private void res(String p, int in, int out) {
        norm(p + "in_layers.0", in);
        conv(p + "in_layers.2", out, in, 3);
        linear(p + "emb_layers.1", out, MC * 4);
        norm(p + "out_layers.0", out);
        conv(p + "out_layers.3", out, out, 3);
        if (in != out) {
            conv(p + "skip_connection", out, in, 1);
        }
    }

    private void spatial(String p, int c) {
        norm(p + "norm", c);
        linear(p + "proj_in", c, c);
        String b = p + "transformer_blocks.0.";
        attention(b + "attn1.", c, c, false);
        attention(b + "attn2.", c, CTX, false);
        feedForward(b, c);
        linear(p + "proj_out", c, c);
    }

    private void temporal(String p, int c, int heads, boolean conv1d) {
        int inner = heads * HEAD;
        norm(p + "norm", c);
        if (conv1d) {
            put(p + "proj_in.weight", 1 / Math.sqrt(c), inner, c, 1);
            put(p + "proj_in.bias", 0.02, inner);
        } else {
            linear(p + "proj_in", inner, c);
        }
        String b = p + "transformer_blocks.0.";
        attention(b + "attn1.", inner, inner, true);
        attention(b + "attn2.", inner, inner, true);
        feedForward(b, inner);
        if (conv1d) {
            put(p + "proj_out.weight", 1 / Math.sqrt(inner), c, inner, 1);
            put(p + "proj_out.bias", 0.02, c);
        } else {
            linear(p + "proj_out", c, inner);
        }
    }

    private void attention(String p, int dim, int ctx, boolean relative) {
        put(p + "to_q.weight", 1 / Math.sqrt(dim), dim, dim);
        put(p + "to_k.weight", 1 / Math.sqrt(ctx), dim, ctx);
        put(p + "to_v.weight", 1 / Math.sqrt(ctx), dim, ctx);
        linear(p + "to_out.0", dim, dim);
        if (relative) {
            put(p + "relative_position_k.embeddings_table", 0.5, 2 * TL + 1, HEAD);
            put(p + "relative_position_v.embeddings_table", 0.5, 2 * TL + 1, HEAD);
        }
    }

    private void feedForward(String b, int dim) {
        norm(b + "norm1", dim);
        norm(b + "norm2", dim);
        norm(b + "norm3", dim);
        linear(b + "ff.net.0.proj", dim * 8, dim);
        linear(b + "ff.net.2", dim, dim * 4);
    }

    // ---- open_clip TextTransformer (FrozenOpenCLIPEmbedder.model, visual deleted) ----

    private void text(String p) {
        put(p + "token_embedding.weight", 0.5, vocab, CTX);
        put(p + "positional_embedding", 0.1, 77, CTX);
        for (int i = 0; i < TEXT_LAYERS; i++) {
            String b = p + "transformer.resblocks." + i + ".";
            norm(b + "ln_1", CTX);
            put(b + "attn.in_proj_weight", 1 / Math.sqrt(CTX), 3 * CTX, CTX);
            put(b + "attn.in_proj_bias", 0.1, 3 * CTX);
            linear(b + "attn.out_proj", CTX, CTX);
            norm(b + "ln_2", CTX);
            linear(b + "mlp.c_fc", TEXT_MLP, CTX);
            linear(b + "mlp.c_proj", CTX, TEXT_MLP);
        }
        norm(p + "ln_final", CTX);
        put(p + "text_projection", 0.1, CTX, CTX);
        put(p + "logit_scale", 0.1);
    }

    // ---- ldm AutoencoderKL (decoder used; encoder and quant_conv present, as in the real file) ----

    private void vae(String p) {
        int top = VAE[VAE.length - 1];
        conv(p + "encoder.conv_in", VAE[0], 3, 3);
        conv(p + "quant_conv", 8, 8, 1);
        conv(p + "post_quant_conv", 4, 4, 1);
        String d = p + "decoder.";
        conv(d + "conv_in", top, 4, 3);
        vaeRes(d + "mid.block_1.", top, top);
        norm(d + "mid.attn_1.norm", top);
        for (String n : new String[] {"q", "k", "v", "proj_out"}) {
            conv(d + "mid.attn_1." + n, top, top, 1);
        }
        vaeRes(d + "mid.block_2.", top, top);
        int in = top;
        for (int level = VAE.length - 1; level >= 0; level--) {
            int out = VAE[level];
            for (int j = 0; j < 2; j++) {
                vaeRes(d + "up." + level + ".block." + j + ".", in, out);
                in = out;
            }
            if (level != 0) {
                conv(d + "up." + level + ".upsample.conv", out, out, 3);
            }
        }
        norm(d + "norm_out", VAE[0]);
        conv(d + "conv_out", 3, VAE[0], 3);
    }

    private void vaeRes(String p, int in, int out) {
        norm(p + "norm1", in);
        conv(p + "conv1", out, in, 3);
        norm(p + "norm2", out);
        conv(p + "conv2", out, out, 3);
        if (in != out) {
            conv(p + "nin_shortcut", out, in, 1);
        }
    }

    // ---- leaves ----

    private void linear(String p, int out, int in) {
        put(p + ".weight", 1 / Math.sqrt(in), out, in);
        put(p + ".bias", 0.02, out);
    }

    private void conv(String p, int out, int in, int k) {
        put(p + ".weight", 1 / Math.sqrt((double) in * k * k), out, in, k, k);
        put(p + ".bias", 0.02, out);
    }

    private void norm(String p, int c) {
        float[] w = new float[c];
        for (int i = 0; i < c; i++) {
            w[i] = (float) (1 + 0.1 * random.nextGaussian());
        }
        add(p + ".weight", w, c);
        put(p + ".bias", 0.02, c);
    }

    void put(String name, double std, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * random.nextGaussian());
        }
        add(name, v, shape);
    }

    private void add(String name, float[] v, long... shape) {
        if (values.put(name, v) != null) {
            throw new IllegalStateException("duplicate " + name);
        }
        shapes.put(name, shape);
    }
}
