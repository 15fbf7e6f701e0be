package dev.cogforge.core.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** LayerNorm over the last dimension, optionally with affine weight and bias. */
public final class LayerNorm extends Module implements Layer {
    private final long dim;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNorm(long dim, double eps, boolean elementwiseAffine) {
        this(dim, eps, elementwiseAffine, elementwiseAffine);
    }

    public LayerNorm(long dim, double eps, boolean affineWeight, boolean affineBias) {
        this.dim = dim;
        this.eps = eps;
        this.weight = affineWeight ? parameter("weight", dim) : null;
        this.bias = affineBias ? parameter("bias", dim) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return torch.layer_norm(x, new long[] {dim},
                weight == null ? new TensorOptional() : new TensorOptional(weight.get()),
                bias == null ? new TensorOptional() : new TensorOptional(bias.get()), eps, false);
    }
}
