package dev.cogforge.core.models.cogvideox;

import static dev.cogforge.core.models.cogvideox.Ops.s;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import dev.cogforge.core.nn.LayerNorm;
import dev.cogforge.core.nn.Linear;
import dev.cogforge.core.nn.Module;

/**
 * diffusers {@code CogVideoXLayerNormZero}: one LayerNorm shared by the video and text streams, each modulated by
 * its own shift/scale from {@code linear(SiLU(temb))} chunked in the order
 * {@code shift, scale, gate, text_shift, text_scale, text_gate}.
 */
public final class LayerNormZero extends Module {
    /** The two normalised streams and their gates {@code [B, 1, D]}. */
    public record Result(Tensor video, Tensor text, Tensor gate, Tensor textGate) {}

    public LayerNormZero(int conditioningDim, int embeddingDim, boolean elementwiseAffine, double eps) {
        child("linear", new Linear(conditioningDim, 6L * embeddingDim, true));
        child("norm", new LayerNorm(embeddingDim, eps, elementwiseAffine));
    }

    public Result forward(Tensor video, Tensor text, Tensor temb) {
        TensorVector m = Ops.call(this, "linear", torch.silu(temb)).chunk(6, 1);
        Tensor shift = m.get(0).unsqueeze(1);
        Tensor scale = m.get(1).unsqueeze(1);
        Tensor gate = m.get(2).unsqueeze(1);
        Tensor textShift = m.get(3).unsqueeze(1);
        Tensor textScale = m.get(4).unsqueeze(1);
        Tensor textGate = m.get(5).unsqueeze(1);
        Tensor v = Ops.call(this, "norm", video).mul(scale.add(s(1.0))).add(shift);
        Tensor c = Ops.call(this, "norm", text).mul(textScale.add(s(1.0))).add(textShift);
        return new Result(v, c, gate, textGate);
    }
}
