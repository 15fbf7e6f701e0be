package dev.cogforge.core.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code y = x Wᵀ + b}; weight {@code [out, in]} as in PyTorch. Subclassed by LoRA wrappers. */
public class Linear extends Module implements Layer {
    protected final long inFeatures;
    protected final long outFeatures;
    protected final Parameter weight;
    protected final Parameter bias;

    public Linear(long inFeatures, long outFeatures, boolean bias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = parameter("weight", outFeatures, inFeatures);
        this.bias = bias ? parameter("bias", outFeatures) : null;
    }

    public long inFeatures() {
        return inFeatures;
    }

    public long outFeatures() {
        return outFeatures;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return torch.linear(x, weight.get(), bias == null ? new TensorOptional() : new TensorOptional(bias.get()));
    }
}
