package dev.gpt4video.t2v.zeroscope;

import ai.djl.ndarray.NDArray;
import dev.gpt4video.t2v.nn.Probe;
import dev.gpt4video.t2v.nn.ResnetBlock2D;
import dev.gpt4video.t2v.nn.Transformer2DModel;

/**
 * One layer of a 3-D UNet block in ModelScope's order: resnet, temporal conv, then (cross-attention
 * blocks only) spatial transformer and temporal transformer. Index {@code i} names the diffusers
 * sub-modules ({@code resnets.i}, {@code temp_convs.i}, {@code attentions.i}, {@code temp_attentions.i}).
 */
record Layer3D(int index, ResnetBlock2D resnet, TemporalConvLayer tempConv, Transformer2DModel attention,
               TransformerTemporalModel tempAttention) {

    NDArray forward(NDArray x, NDArray temb, NDArray context, int frames, Probe probe) {
        NDArray h = resnet.forward(x, temb);
        probe.report("resnets." + index, h);
        h = tempConv.forward(h, frames);
        probe.report("temp_convs." + index, h);
        if (attention != null) {
            h = attention.forward(h, context);
            probe.report("attentions." + index, h);
            h = tempAttention.forward(h, frames);
            probe.report("temp_attentions." + index, h);
        }
        return h;
    }
}
