package dev.gpt4video.t2v.nn;

import ai.djl.ndarray.NDArray;
import dev.gpt4video.core.ErrorCode;
import dev.gpt4video.core.Gpt4VideoException;

import java.util.function.UnaryOperator;

/** The activation functions the t2v models name in their configs. */
public final class Activations {
    private Activations() {
    }

    public static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /** Exact (erf) GELU; DJL's PyTorch {@code gelu} is the exact form. */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    /** OpenAI CLIP's {@code x * sigmoid(1.702 x)}. */
    public static NDArray quickGelu(NDArray x) {
        return x.mul(x.mul(1.702f).getNDArrayInternal().sigmoid());
    }

    /** GPT-2's tanh approximation of GELU ({@code gelu_new}, {@code gelu_pytorch_tanh}). */
    public static NDArray tanhGelu(NDArray x) {
        NDArray inner = x.pow(3).mul(0.044715f).add(x).mul((float) Math.sqrt(2 / Math.PI));
        return x.mul(0.5f).mul(inner.tanh().add(1f));
    }

    /** Looks up a config's activation name ({@code hidden_act}, {@code act_fn}). */
    public static UnaryOperator<NDArray> byName(String name) {
        return switch (name) {
            case "silu", "swish" -> Activations::silu;
            case "gelu" -> Activations::gelu;
            case "quick_gelu" -> Activations::quickGelu;
            case "gelu_new", "gelu_pytorch_tanh" -> Activations::tanhGelu;
            default -> throw new Gpt4VideoException(ErrorCode.CONFIG_INVALID, "activation '" + name
                    + "' is not supported (silu, gelu, quick_gelu, gelu_new)");
        };
    }
}
