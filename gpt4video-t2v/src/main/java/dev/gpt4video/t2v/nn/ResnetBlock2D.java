package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;

/**
 * diffusers' {@code ResnetBlock2D} ("default" time embedding): GN, SiLU, conv1, plus the projected
 * time embedding, GN, SiLU, conv2, plus the input (through a 1x1 {@code conv_shortcut} when the
 * channel count changes). Without {@code time_emb_proj} (the VAE) the time embedding is skipped.
 */
public final class ResnetBlock2D {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d shortcut;
    private final float outputScale;

    private ResnetBlock2D(GroupNorm norm1, Conv2d conv1, Linear timeEmbProj, GroupNorm norm2, Conv2d conv2,
                          Conv2d shortcut, float outputScale) {
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.timeEmbProj = timeEmbProj;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.shortcut = shortcut;
        this.outputScale = outputScale;
    }

    /** {@code tembChannels} 0 means no time embedding. */
    public static ResnetBlock2D load(Weights w, long in, long out, long tembChannels, int groups, double eps,
                                     double outputScale) {
        return new ResnetBlock2D(
                GroupNorm.load(w, "norm1", groups, in, eps),
                Conv2d.load(w, "conv1", in, out, 3, 1, 1),
                tembChannels > 0 ? Linear.load(w, "time_emb_proj", tembChannels, out, true) : null,
                GroupNorm.load(w, "norm2", groups, out, eps),
                Conv2d.load(w, "conv2", out, out, 3, 1, 1),
                in != out ? Conv2d.load(w, "conv_shortcut", in, out, 1, 1, 0) : null,
                (float) outputScale);
    }

    /** {@code x}: (N, C, h, w); {@code temb}: (N, tembChannels) or null. */
    public NDArray forward(NDArray x, NDArray temb) {
        try (Scope s = Scope.open(x, temb)) {
            NDArray h = conv1.forward(Activations.silu(norm1.forward(x)));
            if (timeEmbProj != null) {
                NDArray t = timeEmbProj.forward(Activations.silu(temb));
                h = h.add(t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1));
            }
            h = conv2.forward(Activations.silu(norm2.forward(h)));
            NDArray out = (shortcut == null ? x : shortcut.forward(x)).add(h);
            if (outputScale != 1f) {
                out = out.div(outputScale);
            }
            return s.keep(out);
        }
    }
}
