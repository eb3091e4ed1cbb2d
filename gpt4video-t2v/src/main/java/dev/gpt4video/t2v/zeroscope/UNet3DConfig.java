package dev.gpt4video.t2v.zeroscope;

import com.fasterxml.jackson.annotation.JsonFormat;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.List;
import java.util.Set;

/**
 * diffusers' {@code UNet3DConditionModel} config ({@code unet/config.json}); missing keys take
 * diffusers' defaults, which are ZeroScope's / ModelScope's values.
 *
 * <p>Naming trap kept from diffusers: {@code attention_head_dim} is used as each block's number of
 * heads <em>parameter</em>, and blocks then build heads = channels / that value, each of that size.
 * With 64 and 320 channels that is 5 heads of 64. {@code transformer_in} has 8 heads of
 * {@code attention_head_dim}.
 */
public record UNet3DConfig(Integer inChannels, Integer outChannels, List<String> downBlockTypes, List<String> upBlockTypes,
                           List<Integer> blockOutChannels, Integer layersPerBlock, Integer downsamplePadding,
                           Double midBlockScaleFactor, String actFn, Integer normNumGroups, Double normEps,
                           Integer crossAttentionDim,
                           @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Integer> attentionHeadDim,
                           Integer numAttentionHeads, Integer sampleSize) {
    static final String CROSS_DOWN = "CrossAttnDownBlock3D";
    static final String DOWN = "DownBlock3D";
    static final String CROSS_UP = "CrossAttnUpBlock3D";
    static final String UP = "UpBlock3D";

    public UNet3DConfig {
        inChannels = inChannels == null ? 4 : inChannels;
        outChannels = outChannels == null ? 4 : outChannels;
        downBlockTypes = downBlockTypes == null ? List.of(CROSS_DOWN, CROSS_DOWN, CROSS_DOWN, DOWN) : List.copyOf(downBlockTypes);
        upBlockTypes = upBlockTypes == null ? List.of(UP, CROSS_UP, CROSS_UP, CROSS_UP) : List.copyOf(upBlockTypes);
        blockOutChannels = blockOutChannels == null ? List.of(320, 640, 1280, 1280) : List.copyOf(blockOutChannels);
        layersPerBlock = layersPerBlock == null ? 2 : layersPerBlock;
        downsamplePadding = downsamplePadding == null ? 1 : downsamplePadding;
        midBlockScaleFactor = midBlockScaleFactor == null ? 1.0 : midBlockScaleFactor;
        actFn = actFn == null ? "silu" : actFn;
        normNumGroups = normNumGroups == null ? 32 : normNumGroups;
        normEps = normEps == null ? 1e-5 : normEps;
        crossAttentionDim = crossAttentionDim == null ? 1024 : crossAttentionDim;
        attentionHeadDim = attentionHeadDim == null ? List.of(64) : List.copyOf(attentionHeadDim);
        sampleSize = sampleSize == null ? 32 : sampleSize;

        int levels = blockOutChannels.size();
        if (levels == 0) {
            throw invalid("block_out_channels", "must not be empty");
        }
        if (downBlockTypes.size() != levels || upBlockTypes.size() != levels) {
            throw invalid("down_block_types", "down (" + downBlockTypes.size() + ") and up (" + upBlockTypes.size()
                    + ") block types must match block_out_channels (" + levels + ")");
        }
        for (String t : downBlockTypes) {
            if (!Set.of(CROSS_DOWN, DOWN).contains(t)) {
                throw invalid("down_block_types", "'" + t + "' is not " + CROSS_DOWN + " or " + DOWN);
            }
        }
        for (String t : upBlockTypes) {
            if (!Set.of(CROSS_UP, UP).contains(t)) {
                throw invalid("up_block_types", "'" + t + "' is not " + CROSS_UP + " or " + UP);
            }
        }
        if (numAttentionHeads != null) {
            throw invalid("num_attention_heads", "must be null for UNet3DConditionModel (diffusers rejects it too)");
        }
        if (attentionHeadDim.size() != 1 && attentionHeadDim.size() != levels) {
            throw invalid("attention_head_dim", "needs one value or one per block, got " + attentionHeadDim);
        }
        if (!actFn.equals("silu") && !actFn.equals("swish")) {
            throw invalid("act_fn", "only silu is supported, got '" + actFn + "'");
        }
        if (layersPerBlock < 1) {
            throw invalid("layers_per_block", "must be at least 1, got " + layersPerBlock);
        }
        if (downsamplePadding != 0 && downsamplePadding != 1) {
            throw invalid("downsample_padding", "must be 0 or 1, got " + downsamplePadding);
        }
        if (!(normEps > 0)) {
            throw invalid("norm_eps", "must be positive, got " + normEps);
        }
        for (int i = 0; i < levels; i++) {
            int c = blockOutChannels.get(i);
            if (c <= 0 || c % normNumGroups != 0) {
                throw invalid("block_out_channels", c + " is not a positive multiple of norm_num_groups " + normNumGroups);
            }
            // Fields are not assigned yet inside a compact constructor: read the parameter.
            int heads = attentionHeadDim.size() == 1 ? attentionHeadDim.get(0) : attentionHeadDim.get(i);
            if (c % heads != 0) {
                throw invalid("attention_head_dim", "block " + i + ": " + c + " channels do not split by " + heads);
            }
        }
        if (crossAttentionDim <= 0 || inChannels <= 0 || outChannels <= 0) {
            throw invalid("cross_attention_dim", "channel counts must be positive");
        }
    }

    /** The per-block value diffusers passes as {@code num_attention_heads} (= attention_head_dim). */
    public int headsParameter(int block) {
        return attentionHeadDim.size() == 1 ? attentionHeadDim.get(0) : attentionHeadDim.get(block);
    }

    public int levels() {
        return blockOutChannels.size();
    }

    /** Sinusoid width (block_out_channels[0]) and time embedding width (4x that). */
    public int timeProjChannels() {
        return blockOutChannels.get(0);
    }

    public int timeEmbedDim() {
        return blockOutChannels.get(0) * 4;
    }

    private static Gpt4VideoException invalid(String field, String message) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "unet config " + field + ": " + message);
    }
}
