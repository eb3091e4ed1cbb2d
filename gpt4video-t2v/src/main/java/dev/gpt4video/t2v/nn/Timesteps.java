package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' sinusoidal timestep embedding ({@code get_timestep_embedding}) and the
 * {@code TimestepEmbedding} MLP ({@code linear_1}, SiLU, {@code linear_2}).
 */
public final class Timesteps {
    private final Linear linear1;
    private final Linear linear2;
    private final int channels;
    private final boolean flipSinToCos;
    private final double freqShift;

    private Timesteps(Linear linear1, Linear linear2, int channels, boolean flipSinToCos, double freqShift) {
        this.linear1 = linear1;
        this.linear2 = linear2;
        this.channels = channels;
        this.flipSinToCos = flipSinToCos;
        this.freqShift = freqShift;
    }

    public static Timesteps load(Weights w, int channels, long embedDim, boolean flipSinToCos, double freqShift) {
        return new Timesteps(Linear.load(w, "linear_1", channels, embedDim, true),
                Linear.load(w, "linear_2", embedDim, embedDim, true), channels, flipSinToCos, freqShift);
    }

    /**
     * The sinusoid for each timestep, (N, channels), float32. Computed in Java float arithmetic in
     * the reference's order: {@code exp(-ln(10000) * i / (half - shift))}, {@code t * freq},
     * then {@code [sin | cos]} ({@code [cos | sin]} when flipped).
     */
    public static float[] sinusoid(long[] timesteps, int channels, boolean flipSinToCos, double freqShift) {
        int half = channels / 2;
        float[] freqs = new float[half];
        float logMax = (float) -Math.log(10000);
        for (int i = 0; i < half; i++) {
            float exponent = logMax * i / (float) (half - freqShift);
            freqs[i] = (float) Math.exp(exponent);
        }
        float[] out = new float[timesteps.length * channels];
        for (int n = 0; n < timesteps.length; n++) {
            for (int i = 0; i < half; i++) {
                float arg = (float) timesteps[n] * freqs[i];
                float sin = (float) Math.sin(arg);
                float cos = (float) Math.cos(arg);
                out[n * channels + i] = flipSinToCos ? cos : sin;
                out[n * channels + half + i] = flipSinToCos ? sin : cos;
            }
        }
        return out;
    }

    /** The time projection alone, (N, channels) in {@code dtype} under {@code manager}. */
    public NDArray project(NDManager manager, long[] timesteps, DataType dtype) {
        return manager.create(sinusoid(timesteps, channels, flipSinToCos, freqShift), new Shape(timesteps.length, channels))
                .toType(dtype, false);
    }

    /** The MLP on a projection. */
    public NDArray embed(NDArray projection) {
        try (Scope s = Scope.open(projection)) {
            return s.keep(linear2.forward(Activations.silu(linear1.forward(projection))));
        }
    }
}
