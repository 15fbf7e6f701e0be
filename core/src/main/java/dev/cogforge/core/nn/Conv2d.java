package dev.cogforge.core.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** 2-D convolution, weight {@code [out, in, kH, kW]}. */
public final class Conv2d extends Module implements Layer {
    private final long[] stride;
    private final long[] padding;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2d(long in, long out, long kernel, long stride, long padding, boolean bias) {
        this.stride = new long[] {stride, stride};
        this.padding = new long[] {padding, padding};
        this.weight = parameter("weight", out, in, kernel, kernel);
        this.bias = bias ? parameter("bias", out) : null;
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public Tensor forward(Tensor x) {
        return torch.conv2d(x, weight.get(), bias == null ? new TensorOptional() : new TensorOptional(bias.get()),
                stride, padding, new long[] {1, 1}, 1);
    }
}
