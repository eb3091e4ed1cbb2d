package dev.gpt4video.t2v.videocrafter;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;
import dev.gpt4video.t2v.text.ClipTextConfig;
import dev.gpt4video.t2v.zeroscope.AutoencoderKlConfig;

import java.util.List;
import java.util.Set;

/**
 * VideoCrafter1's model hyper-parameters (from {@code configs/inference_t2v_{512,1024}_v1.0.yaml});
 * missing keys take the released models' values, so a real checkpoint needs no {@code config.json}.
 * {@code fps_cond} and {@code use_scale} left null are read off the checkpoint (the 1024 model has
 * {@code fps_embedding.*} and {@code scale_arr}; the 512 model has neither).
 *
 * <p>{@code norm_num_groups} is 32 in lvdm (hard-coded); it is a field only so tiny test models can
 * keep two channels per group.
 *
 * @param attentionResolutions downsampling factors (1, 2, 4, ...) whose level has spatial and temporal attention
 * @param textLayers           resblocks stored in the text tower; the last one is not run ("penultimate")
 */
public record VideoCrafterConfig(Integer inChannels, Integer modelChannels, List<Integer> channelMult,
                                 Integer numResBlocks, List<Integer> attentionResolutions, Integer numHeadChannels,
                                 Integer contextDim, Integer temporalLength, Integer normNumGroups, Integer initAttnHeads,
                                 Boolean fpsCond, Boolean useScale, Double scaleA, Double scaleB, Integer scaleMidStep,
                                 Integer textVocabSize, Integer textWidth, Integer textLayers, Integer textHeads,
                                 Integer textMlpWidth, Integer textContextLength, List<Integer> vaeBlockOutChannels,
                                 Integer vaeLayersPerBlock, Integer vaeNormNumGroups, Double scaleFactor) {
    public VideoCrafterConfig {
        inChannels = or(inChannels, 4);
        modelChannels = or(modelChannels, 320);
        channelMult = channelMult == null ? List.of(1, 2, 4, 4) : List.copyOf(channelMult);
        numResBlocks = or(numResBlocks, 2);
        attentionResolutions = attentionResolutions == null ? List.of(4, 2, 1) : List.copyOf(attentionResolutions);
        numHeadChannels = or(numHeadChannels, 64);
        contextDim = or(contextDim, 1024);
        temporalLength = or(temporalLength, 16);
        normNumGroups = or(normNumGroups, 32);
        initAttnHeads = or(initAttnHeads, 8);
        scaleA = scaleA == null ? 1.0 : scaleA;
        scaleB = scaleB == null ? 0.3 : scaleB;
        scaleMidStep = or(scaleMidStep, 400);
        textVocabSize = or(textVocabSize, 49408);
        textWidth = or(textWidth, 1024);
        textLayers = or(textLayers, 24);
        textHeads = or(textHeads, 16);
        textMlpWidth = or(textMlpWidth, 4096);
        textContextLength = or(textContextLength, 77);
        vaeBlockOutChannels = vaeBlockOutChannels == null ? List.of(128, 256, 512, 512) : List.copyOf(vaeBlockOutChannels);
        vaeLayersPerBlock = or(vaeLayersPerBlock, 2);
        vaeNormNumGroups = or(vaeNormNumGroups, 32);
        scaleFactor = scaleFactor == null ? 0.18215 : scaleFactor;

        positive("in_channels", inChannels);
        positive("model_channels", modelChannels);
        positive("num_res_blocks", numResBlocks);
        positive("context_dim", contextDim);
        positive("temporal_length", temporalLength);
        positive("init_attn_heads", initAttnHeads);
        positive("num_head_channels", numHeadChannels);
        positive("scale_mid_step", scaleMidStep);
        if (channelMult.isEmpty()) {
            throw invalid("channel_mult", "must not be empty");
        }
        for (int mult : channelMult) {
            int c = modelChannels * mult;
            if (mult <= 0 || c % normNumGroups != 0) {
                throw invalid("channel_mult", "level width " + c + " is not a positive multiple of norm_num_groups " + normNumGroups);
            }
            if (c % numHeadChannels != 0) {
                throw invalid("num_head_channels", "level width " + c + " does not split into heads of " + numHeadChannels);
            }
        }
        Set<Integer> valid = new java.util.HashSet<>();
        for (int i = 0; i < channelMult.size(); i++) {
            valid.add(1 << i);
        }
        for (int r : attentionResolutions) {
            if (!valid.contains(r)) {
                throw invalid("attention_resolutions", r + " is not a downsampling factor of this UNet " + valid);
            }
        }
        if (textLayers < 2) {
            throw invalid("text_layers", "needs at least 2 (the last one is skipped), got " + textLayers);
        }
        if (!contextDim.equals(textWidth)) {
            throw invalid("context_dim", contextDim + " must equal the text tower's width " + textWidth);
        }
        if (textWidth % textHeads != 0) {
            throw invalid("text_width", textWidth + " does not split into " + textHeads + " heads");
        }
        if (!(scaleFactor > 0)) {
            throw invalid("scale_factor", "must be positive, got " + scaleFactor);
        }
        if (!(scaleB > 0) || !(scaleA > 0)) {
            throw invalid("scale_b", "scales must be positive");
        }
    }

    /** The released models' widths, with {@code fps_cond} and {@code use_scale} left to the checkpoint. */
    public static VideoCrafterConfig defaults() {
        return new VideoCrafterConfig(null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The released Text2Video-512 v1 model. */
    public static VideoCrafterConfig text2Video512() {
        return defaults().withConditioning(false, false);
    }

    /** The released Text2Video-1024 v1 model: fps conditioning and the scale trick. */
    public static VideoCrafterConfig text2Video1024() {
        return defaults().withConditioning(true, true);
    }

    /** This config with {@code fps_cond} and {@code use_scale} fixed. */
    public VideoCrafterConfig withConditioning(boolean fps, boolean scale) {
        return new VideoCrafterConfig(inChannels, modelChannels, channelMult, numResBlocks, attentionResolutions,
                numHeadChannels, contextDim, temporalLength, normNumGroups, initAttnHeads, fps, scale, scaleA, scaleB,
                scaleMidStep, textVocabSize, textWidth, textLayers, textHeads, textMlpWidth, textContextLength,
                vaeBlockOutChannels, vaeLayersPerBlock, vaeNormNumGroups, scaleFactor);
    }

    public int levels() {
        return channelMult.size();
    }

    public int channels(int level) {
        return modelChannels * channelMult.get(level);
    }

    public boolean attentionAt(int level) {
        return attentionResolutions.contains(1 << level);
    }

    public int timeEmbedDim() {
        return modelChannels * 4;
    }

    public boolean hasFpsCondition() {
        return Boolean.TRUE.equals(fpsCond);
    }

    public boolean hasScale() {
        return Boolean.TRUE.equals(useScale);
    }

    /** The text tower as transformers' CLIP config: exact GELU, and one layer fewer than stored. */
    public ClipTextConfig textConfig() {
        return new ClipTextConfig(textVocabSize, textWidth, textMlpWidth, textLayers - 1, textHeads, textContextLength,
                "gelu", 1e-5);
    }

    /** The first-stage decoder as a diffusers VAE config (same structure, LDM names remapped). */
    public AutoencoderKlConfig vaeConfig() {
        List<String> types = java.util.Collections.nCopies(vaeBlockOutChannels.size(), "UpDecoderBlock2D");
        return new AutoencoderKlConfig(3, inChannels, vaeBlockOutChannels, types, vaeLayersPerBlock, vaeNormNumGroups,
                "silu", scaleFactor);
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw invalid(field, "must be positive, got " + value);
        }
    }

    private static Gpt4VideoException invalid(String field, String message) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "videocrafter config " + field + ": " + message);
    }
}
