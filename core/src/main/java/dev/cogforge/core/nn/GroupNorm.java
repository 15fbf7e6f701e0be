package dev.cogforge.core.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** GroupNorm over channel dim 1 of {@code [B, C, ...]}, affine. */
public final class GroupNorm extends Module implements Layer {
    private final long groups;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    public GroupNorm(long groups, long channels, double eps, boolean affine) {
        if (channels % groups != 0) throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        this.groups = groups;
        this.eps = eps;
        this.weight = affine ? parameter("weight", channels) : null;
        this.bias = affine ? parameter("bias", channels) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return torch.group_norm(x, groups,
                weight == null ? new TensorOptional() : new TensorOptional(weight.get()),
                bias == null ? new TensorOptional() : new TensorOptional(bias.get()), eps, false);
    }
}
