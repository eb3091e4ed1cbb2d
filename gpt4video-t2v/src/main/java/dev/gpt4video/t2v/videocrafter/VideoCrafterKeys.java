package dev.gpt4video.t2v.videocrafter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that knows VideoCrafter1's {@code model.ckpt} tensor names (lvdm UNet, OpenCLIP
 * text tower, LDM first-stage VAE) and how they map to the names the shared loaders ask for
 * (diffusers-style leaf names such as {@code norm1}, {@code to_q}, {@code q_proj}).
 *
 * <p>The direction is component name to original name: a loader asks for
 * {@code input_blocks.1.0.norm1.weight} and reads {@code model.diffusion_model.input_blocks.1.0.in_layers.0.weight}.
 * Block positions keep lvdm's numbering ({@code input_blocks.k.m}, {@code middle_block.m},
 * {@code output_blocks.k.m}); only leaf names change. Names no rule matches are read unchanged.
 * Strictness comes from the {@link dev.gpt4video.core.checkpoint.WeightLoader}: a tensor the model
 * needs but the file lacks fails naming the original tensor, and any tensor left unread that
 * {@link #ignored} does not list fails naming it.
 */
public final class VideoCrafterKeys {
    /** Prefix of the lvdm UNet ({@code openaimodel3d.UNetModel}). */
    public static final String UNET = "model.diffusion_model.";
    /** Prefix of the OpenCLIP text tower ({@code FrozenOpenCLIPEmbedder.model}). */
    public static final String TEXT = "cond_stage_model.model.";
    /** Prefix of the LDM {@code AutoencoderKL}. */
    public static final String VAE = "first_stage_model.";
    /** Present only for models trained with {@code use_scale} (the 1024 model). */
    public static final String SCALE_ARR = "scale_arr";
    /** Present only for models with {@code fps_cond} (the 1024 model). */
    public static final String FPS_EMBEDDING = UNET + "fps_embedding.0.weight";

    /** Schedule buffers of {@code LatentDiffusion}; inference recomputes the schedule itself. */
    private static final List<String> SCHEDULE_BUFFERS = List.of("betas", "alphas_cumprod", "alphas_cumprod_prev",
            "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod",
            "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
            "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2", "logvar",
            "scale_arr", "scale_arr_prev");

    private VideoCrafterKeys() {
    }

    /**
     * Where a component tensor lives in the checkpoint: {@code name}, row block {@code part} of
     * {@code parts} (OpenCLIP's fused {@code in_proj_weight} holds q, k, v stacked on rows), and
     * {@code squeeze} trailing unit axes to drop (1x1 Conv2d and k=1 Conv1d weights used as Linear).
     */
    public record Source(String name, int part, int parts, int squeeze) {
        static Source of(String name) {
            return new Source(name, 0, 1, 0);
        }
    }

    record Rule(Pattern pattern, Function<Matcher, Source> source) {
        static Rule rename(String regex, String replacement) {
            Pattern p = Pattern.compile(regex);
            return new Rule(p, m -> Source.of(m.replaceFirst(replacement)));
        }

        static Rule squeeze(String regex, String replacement, int axes) {
            Pattern p = Pattern.compile(regex);
            return new Rule(p, m -> new Source(m.replaceFirst(replacement), 0, 1, axes));
        }
    }

    /** Resolves {@code componentName} with the first matching rule, or unchanged. */
    static Source resolve(List<Rule> rules, String componentName) {
        for (Rule r : rules) {
            Matcher m = r.pattern().matcher(componentName);
            if (m.matches()) {
                return r.source().apply(m);
            }
        }
        return Source.of(componentName);
    }

    /** Original name (under {@link #UNET}) of a UNet component tensor. */
    public static Source unet(String componentName) {
        return resolve(UNET_RULES, componentName);
    }

    /** Original name (under {@link #TEXT}) of a transformers-CLIP-named tensor (relative to {@code text_model.}). */
    public static Source text(String componentName) {
        return resolve(TEXT_RULES, componentName);
    }

    /** Original name (under {@link #VAE}) of a diffusers-VAE-named tensor, for a decoder of {@code levels} up blocks. */
    public static Source vae(String componentName, int levels) {
        return resolve(vaeRules(levels), componentName);
    }

    private static final String RES = "((?:input_blocks\\.\\d+|output_blocks\\.\\d+)\\.0|middle_block\\.[03])";

    static final List<Rule> UNET_RULES = List.of(
            Rule.rename("^time_embedding\\.linear_1\\.(.+)$", "time_embed.0.$1"),
            Rule.rename("^time_embedding\\.linear_2\\.(.+)$", "time_embed.2.$1"),
            Rule.rename("^fps_embedding\\.linear_1\\.(.+)$", "fps_embedding.0.$1"),
            Rule.rename("^fps_embedding\\.linear_2\\.(.+)$", "fps_embedding.2.$1"),
            Rule.rename("^conv_in\\.(.+)$", "input_blocks.0.0.$1"),
            Rule.rename("^conv_norm_out\\.(.+)$", "out.0.$1"),
            Rule.rename("^conv_out\\.(.+)$", "out.2.$1"),
            // lvdm ResBlock: in_layers = [GN, SiLU, conv], emb_layers = [SiLU, Linear], out_layers = [GN, SiLU, Dropout, conv].
            Rule.rename("^" + RES + "\\.norm1\\.(.+)$", "$1.in_layers.0.$2"),
            Rule.rename("^" + RES + "\\.conv1\\.(.+)$", "$1.in_layers.2.$2"),
            Rule.rename("^" + RES + "\\.time_emb_proj\\.(.+)$", "$1.emb_layers.1.$2"),
            Rule.rename("^" + RES + "\\.norm2\\.(.+)$", "$1.out_layers.0.$2"),
            Rule.rename("^" + RES + "\\.conv2\\.(.+)$", "$1.out_layers.3.$2"),
            Rule.rename("^" + RES + "\\.conv_shortcut\\.(.+)$", "$1.skip_connection.$2"),
            // lvdm Downsample keeps its strided conv as "op".
            Rule.rename("^(input_blocks\\.\\d+\\.0)\\.conv\\.(.+)$", "$1.op.$2"),
            // init_attn is built without use_linear: its projections are Conv1d k=1, [out, in, 1].
            Rule.squeeze("^(init_attn\\.0\\.proj_(?:in|out))\\.weight$", "$1.weight", 1));

    static final List<Rule> TEXT_RULES = textRules();

    private static List<Rule> textRules() {
        List<Rule> rules = new ArrayList<>();
        rules.add(Rule.rename("^embeddings\\.token_embedding\\.weight$", "token_embedding.weight"));
        rules.add(Rule.rename("^embeddings\\.position_embedding\\.weight$", "positional_embedding"));
        String layer = "^encoder\\.layers\\.(\\d+)\\.";
        String block = "transformer.resblocks.$1.";
        rules.add(Rule.rename(layer + "layer_norm1\\.(.+)$", block + "ln_1.$2"));
        rules.add(Rule.rename(layer + "layer_norm2\\.(.+)$", block + "ln_2.$2"));
        // nn.MultiheadAttention keeps q, k, v stacked in one [3C, C] matrix (rows q | k | v).
        String[] qkv = {"q", "k", "v"};
        for (int i = 0; i < 3; i++) {
            int part = i;
            Pattern w = Pattern.compile(layer + "self_attn\\." + qkv[i] + "_proj\\.weight$");
            rules.add(new Rule(w, m -> new Source(m.replaceFirst(block + "attn.in_proj_weight"), part, 3, 0)));
            Pattern b = Pattern.compile(layer + "self_attn\\." + qkv[i] + "_proj\\.bias$");
            rules.add(new Rule(b, m -> new Source(m.replaceFirst(block + "attn.in_proj_bias"), part, 3, 0)));
        }
        rules.add(Rule.rename(layer + "self_attn\\.out_proj\\.(.+)$", block + "attn.out_proj.$2"));
        rules.add(Rule.rename(layer + "mlp\\.fc1\\.(.+)$", block + "mlp.c_fc.$2"));
        rules.add(Rule.rename(layer + "mlp\\.fc2\\.(.+)$", block + "mlp.c_proj.$2"));
        rules.add(Rule.rename("^final_layer_norm\\.(.+)$", "ln_final.$1"));
        return List.copyOf(rules);
    }

    static List<Rule> vaeRules(int levels) {
        // LDM numbers decoder levels from the lowest resolution up, diffusers from the top: up_blocks.i = up.(levels-1-i).
        Function<Matcher, String> level = m -> Integer.toString(levels - 1 - Integer.parseInt(m.group(1)));
        String mid = "^decoder\\.mid_block\\.";
        return List.of(
                Rule.rename(mid + "resnets\\.0\\.(.+)$", "decoder.mid.block_1.$1"),
                Rule.rename(mid + "resnets\\.1\\.(.+)$", "decoder.mid.block_2.$1"),
                Rule.rename(mid + "attentions\\.0\\.group_norm\\.(.+)$", "decoder.mid.attn_1.norm.$1"),
                // LDM's AttnBlock projects with 1x1 Conv2d, [C, C, 1, 1].
                Rule.squeeze(mid + "attentions\\.0\\.to_([qkv])\\.weight$", "decoder.mid.attn_1.$1.weight", 2),
                Rule.rename(mid + "attentions\\.0\\.to_([qkv])\\.bias$", "decoder.mid.attn_1.$1.bias"),
                Rule.squeeze(mid + "attentions\\.0\\.to_out\\.0\\.weight$", "decoder.mid.attn_1.proj_out.weight", 2),
                Rule.rename(mid + "attentions\\.0\\.to_out\\.0\\.bias$", "decoder.mid.attn_1.proj_out.bias"),
                new Rule(Pattern.compile("^decoder\\.up_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\.conv_shortcut\\.(.+)$"),
                        m -> Source.of("decoder.up." + level.apply(m) + ".block." + m.group(2) + ".nin_shortcut." + m.group(3))),
                new Rule(Pattern.compile("^decoder\\.up_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\.(.+)$"),
                        m -> Source.of("decoder.up." + level.apply(m) + ".block." + m.group(2) + "." + m.group(3))),
                new Rule(Pattern.compile("^decoder\\.up_blocks\\.(\\d+)\\.upsamplers\\.0\\.(.+)$"),
                        m -> Source.of("decoder.up." + level.apply(m) + ".upsample." + m.group(2))),
                Rule.rename("^decoder\\.conv_norm_out\\.(.+)$", "decoder.norm_out.$1"));
    }

    /**
     * Regexes (full names) of checkpoint tensors inference does not read: the schedule buffers, the
     * VAE encoder and {@code quant_conv}, OpenCLIP's last resblock (the "penultimate" layer is the
     * output), {@code text_projection}, {@code logit_scale} and the derived {@code attn_mask}.
     */
    public static List<String> ignored(int textLayers) {
        List<String> out = new ArrayList<>();
        for (String b : SCHEDULE_BUFFERS) {
            out.add(Pattern.quote(b));
        }
        out.add(Pattern.quote(VAE + "encoder.") + ".*");
        out.add(Pattern.quote(VAE + "quant_conv.") + ".*");
        out.add(Pattern.quote(TEXT + "transformer.resblocks." + (textLayers - 1) + ".") + ".*");
        out.add(Pattern.quote(TEXT + "text_projection"));
        out.add(Pattern.quote(TEXT + "logit_scale"));
        out.add(Pattern.quote(TEXT + "attn_mask"));
        return List.copyOf(out);
    }
}
