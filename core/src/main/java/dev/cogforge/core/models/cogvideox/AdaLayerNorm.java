package dev.cogforge.core.models.cogvideox;

import static dev.cogforge.core.models.cogvideox.Ops.s;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import dev.cogforge.core.nn.LayerNorm;
import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;

/**
 * diffusers {@code AdaLayerNorm(chunk_dim=1)} as used for {@code norm_out}: note the chunk order is
 * <em>shift, then scale</em> (the opposite of the other AdaLayerNorm branch).
 */
public final class AdaLayerNorm extends Module {
    public AdaLayerNorm(int embeddingDim, int outputDim, boolean elementwiseAffine, double eps) {
        child("linear", new Linear(embeddingDim, outputDim, true));
        child("norm", new LayerNorm(outputDim / 2, eps, elementwiseAffine));
    }

    public Tensor forward(Tensor x, Tensor temb) {
        TensorVector m = Ops.call(this, "linear", torch.silu(temb)).chunk(2, 1);
        Tensor shift = m.get(0).unsqueeze(1);
        Tensor scale = m.get(1).unsqueeze(1);
        return Ops.call(this, "norm", x).mul(scale.add(s(1.0))).add(shift);
    }
}
