package dev.gpt4video.t2v.zeroscope;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.gpt4video.core.bundle.ComponentRoles;
import dev.gpt4video.core.bundle.ComponentWriter;
import dev.gpt4video.core.bundle.DemoComponent;
import dev.gpt4video.core.checkpoint.DType;
import dev.gpt4video.core.checkpoint.SafetensorsWriter;
import dev.gpt4video.core.config.HfConfigReader;
import dev.gpt4video.t2v.nn.RandomWeights;
import dev.gpt4video.t2v.text.ClipTextConfig;
import dev.gpt4video.t2v.text.ClipTextModel;
import dev.gpt4video.t2v.text.DemoClipVocabulary;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo bundle's {@code t2v} component: a diffusers ZeroScope folder ({@code model_index.json},
 * {@code tokenizer/}, {@code text_encoder/}, {@code unet/}, {@code vae/}, {@code scheduler/}) with
 * ZeroScope's topology and tensor names (4 UNet levels, 3 cross-attention blocks, temporal convs and
 * transformers, SD VAE decoder with 8x upsampling) at tiny widths and seeded random weights. The
 * tensors are those the loaders ask for (built by running the model constructors against
 * {@link RandomWeights}), so the folder always loads. The VAE holds only the decoder. Load it with
 * {@link ZeroScopeBackend#load} and {@link ZeroScopeOptions#fromMap} on the manifest options.
 */
public final class ZeroScopeDemo implements DemoComponent {
    public static final String TYPE = "zeroscope-v2";
    static final int WIDTH = 64;
    static final int HEIGHT = 64;
    static final int FRAMES = 4;
    static final int STEPS = 4;

    @Override
    public String role() {
        return ComponentRoles.T2V;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void write(ComponentWriter out) throws IOException {
        DemoClipVocabulary vocabulary = DemoClipVocabulary.build(600);
        writeTokenizer(out, vocabulary);

        Map<String, Object> text = new LinkedHashMap<>();
        text.put("architectures", List.of("CLIPTextModel"));
        text.put("model_type", "clip_text_model");
        text.put("vocab_size", vocabulary.size());
        text.put("hidden_size", 32);
        text.put("intermediate_size", 64);
        text.put("num_hidden_layers", 2);
        text.put("num_attention_heads", 4);
        text.put("max_position_embeddings", 77);
        text.put("hidden_act", "gelu");
        text.put("layer_norm_eps", 1e-5);
        text.put("bos_token_id", 0);
        text.put("eos_token_id", 2);
        text.put("pad_token_id", 1);
        text.put("torch_dtype", "float32");

        Map<String, Object> unet = new LinkedHashMap<>();
        unet.put("_class_name", "UNet3DConditionModel");
        unet.put("_diffusers_version", "0.24.0");
        unet.put("act_fn", "silu");
        unet.put("attention_head_dim", 8);
        unet.put("block_out_channels", List.of(16, 16, 32, 32));
        unet.put("cross_attention_dim", 32);
        unet.put("down_block_types", List.of("CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "DownBlock3D"));
        unet.put("downsample_padding", 1);
        unet.put("in_channels", 4);
        unet.put("layers_per_block", 2);
        unet.put("mid_block_scale_factor", 1);
        unet.put("norm_eps", 1e-5);
        unet.put("norm_num_groups", 8);
        unet.put("num_attention_heads", null);
        unet.put("out_channels", 4);
        unet.put("sample_size", 8);
        unet.put("up_block_types", List.of("UpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D"));

        Map<String, Object> vae = new LinkedHashMap<>();
        vae.put("_class_name", "AutoencoderKL");
        vae.put("_diffusers_version", "0.24.0");
        vae.put("act_fn", "silu");
        vae.put("block_out_channels", List.of(16, 16, 32, 32));
        vae.put("down_block_types", List.of("DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"));
        vae.put("in_channels", 3);
        vae.put("latent_channels", 4);
        vae.put("layers_per_block", 2);
        vae.put("norm_num_groups", 8);
        vae.put("out_channels", 3);
        vae.put("sample_size", 64);
        vae.put("scaling_factor", 0.18215);
        vae.put("up_block_types", List.of("UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"));

        Map<String, Object> scheduler = new LinkedHashMap<>();
        scheduler.put("_class_name", "DDIMScheduler");
        scheduler.put("_diffusers_version", "0.24.0");
        scheduler.put("beta_end", 0.012);
        scheduler.put("beta_schedule", "scaled_linear");
        scheduler.put("beta_start", 0.00085);
        scheduler.put("clip_sample", false);
        scheduler.put("num_train_timesteps", 1000);
        scheduler.put("prediction_type", "epsilon");
        scheduler.put("set_alpha_to_one", false);
        scheduler.put("steps_offset", 1);
        scheduler.put("trained_betas", null);

        out.writeJson("model_index.json", Map.of("_class_name", "TextToVideoSDPipeline", "_diffusers_version", "0.24.0",
                "scheduler", List.of("diffusers", "DDIMScheduler"), "text_encoder", List.of("transformers", "CLIPTextModel"),
                "tokenizer", List.of("transformers", "CLIPTokenizer"), "unet", List.of("diffusers", "UNet3DConditionModel"),
                "vae", List.of("diffusers", "AutoencoderKL")));
        out.writeJson("text_encoder/config.json", text);
        out.writeJson("unet/config.json", unet);
        out.writeJson("vae/config.json", vae);
        out.writeJson("scheduler/scheduler_config.json", scheduler);

        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (NDManager manager = NDManager.newBaseManager()) {
            RandomWeights textWeights = RandomWeights.recording(manager, DataType.FLOAT32, out.random().nextLong());
            ClipTextModel.load(textWeights.scope("text_model."), HfConfigReader.convert(json.valueToTree(text), ClipTextConfig.class));
            write(out, "text_encoder/model.safetensors", textWeights);

            RandomWeights unetWeights = RandomWeights.recording(manager, DataType.FLOAT32, out.random().nextLong());
            UNet3DConditionModel.load(unetWeights, HfConfigReader.convert(json.valueToTree(unet), UNet3DConfig.class), 0);
            write(out, "unet/diffusion_pytorch_model.safetensors", unetWeights);

            RandomWeights vaeWeights = RandomWeights.recording(manager, DataType.FLOAT32, out.random().nextLong());
            AutoencoderKlDecoder.load(vaeWeights, HfConfigReader.convert(json.valueToTree(vae), AutoencoderKlConfig.class), 0);
            write(out, "vae/diffusion_pytorch_model.safetensors", vaeWeights);
        }

        out.option("width", WIDTH);
        out.option("height", HEIGHT);
        out.option("frames", FRAMES);
        out.option("steps", STEPS);
        out.option("fps", 8);
        out.option("scheduler", ZeroScopeOptions.DPM_SOLVER);
        out.option("dtype", "float32");
    }

    private static void writeTokenizer(ComponentWriter out, DemoClipVocabulary vocabulary) throws IOException {
        out.writeString("tokenizer/vocab.json", new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(vocabulary.vocab()));
        out.writeString("tokenizer/merges.txt", vocabulary.mergesText());
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("bos_token", "<|startoftext|>");
        special.put("eos_token", "<|endoftext|>");
        special.put("pad_token", "!");
        special.put("unk_token", "<|endoftext|>");
        out.writeJson("tokenizer/special_tokens_map.json", special);
        Map<String, Object> config = new LinkedHashMap<>(special);
        config.put("do_lower_case", true);
        config.put("model_max_length", 77);
        config.put("tokenizer_class", "CLIPTokenizer");
        out.writeJson("tokenizer/tokenizer_config.json", config);
    }

    private static void write(ComponentWriter out, String name, RandomWeights weights) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        weights.writeTo(writer, DType.F32);
        writer.write(out.file(name));
    }
}
