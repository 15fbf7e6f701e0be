package dev.cogforge.core.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** 3-D convolution, weight {@code [out, in, kT, kH, kW]}, per-axis stride and padding ({@code t, h, w}). */
public final class Conv3d extends Module implements Layer {
    private final long[] stride;
    private final long[] padding;
    private final Parameter weight;
    private final Parameter bias;

    public Conv3d(long in, long out, long[] kernel, long[] stride, long[] padding, boolean bias) {
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.weight = parameter("weight", out, in, kernel[0], kernel[1], kernel[2]);
        this.bias = bias ? parameter("bias", out) : null;
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public Tensor forward(Tensor x) {
        return torch.conv3d(x, weight.get(), bias == null ? new TensorOptional() : new TensorOptional(bias.get()),
                stride, padding, new long[] {1, 1, 1}, 1);
    }
}
