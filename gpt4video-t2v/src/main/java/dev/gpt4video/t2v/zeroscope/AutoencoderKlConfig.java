package dev.gpt4video.t2v.zeroscope;

import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.List;

/**
 * diffusers' {@code AutoencoderKL} config ({@code vae/config.json}); only the decoder's fields are
 * used. ZeroScope uses the SD VAE: channels (128, 256, 512, 512), 2 layers, 32 groups,
 * scaling factor 0.18215, so 8 pixels per latent.
 */
public record AutoencoderKlConfig(Integer outChannels, Integer latentChannels, List<Integer> blockOutChannels,
                                  List<String> upBlockTypes, Integer layersPerBlock, Integer normNumGroups, String actFn,
                                  Double scalingFactor) {
    public AutoencoderKlConfig {
        outChannels = outChannels == null ? 3 : outChannels;
        latentChannels = latentChannels == null ? 4 : latentChannels;
        blockOutChannels = blockOutChannels == null ? List.of(64) : List.copyOf(blockOutChannels);
        upBlockTypes = upBlockTypes == null ? List.of("UpDecoderBlock2D") : List.copyOf(upBlockTypes);
        layersPerBlock = layersPerBlock == null ? 1 : layersPerBlock;
        normNumGroups = normNumGroups == null ? 32 : normNumGroups;
        actFn = actFn == null ? "silu" : actFn;
        scalingFactor = scalingFactor == null ? 0.18215 : scalingFactor;
        if (blockOutChannels.isEmpty()) {
            throw invalid("block_out_channels", "must not be empty");
        }
        if (upBlockTypes.size() != blockOutChannels.size()) {
            throw invalid("up_block_types", upBlockTypes.size() + " types for " + blockOutChannels.size() + " blocks");
        }
        for (String t : upBlockTypes) {
            if (!t.equals("UpDecoderBlock2D")) {
                throw invalid("up_block_types", "only UpDecoderBlock2D is supported, got '" + t + "'");
            }
        }
        for (int c : blockOutChannels) {
            if (c <= 0 || c % normNumGroups != 0) {
                throw invalid("block_out_channels", c + " is not a positive multiple of norm_num_groups " + normNumGroups);
            }
        }
        if (!actFn.equals("silu") && !actFn.equals("swish")) {
            throw invalid("act_fn", "only silu is supported, got '" + actFn + "'");
        }
        if (!(scalingFactor > 0)) {
            throw invalid("scaling_factor", "must be positive, got " + scalingFactor);
        }
        if (layersPerBlock < 1) {
            throw invalid("layers_per_block", "must be at least 1, got " + layersPerBlock);
        }
    }

    /** Pixels per latent along each side: 2^(blocks - 1). */
    public int scaleFactor() {
        return 1 << (blockOutChannels.size() - 1);
    }

    private static Gpt4VideoException invalid(String field, String message) {
        return new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "vae config " + field + ": " + message);
    }
}
