package dev.cogforge.core.lora;

import java.util.List;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/** torch {@code clip_grad_norm_} (L2): {@code coef = min(1, max_norm / (total + 1e-6))}, grads scaled in place. */
public final class GradClip {
    private GradClip() {}

    public record Result(Tensor totalNorm, Tensor clampedCoefficient, List<Tensor> grads) {}

    public static Result clipByTotalNorm(List<Tensor> grads, double maxNorm) {
        if (grads.isEmpty()) throw new IllegalArgumentException("no gradients to clip");
        TensorVector norms = new TensorVector();
        for (Tensor g : grads) norms.push_back(torch.norm(g, new Scalar(2.0)));
        Tensor total = torch.norm(torch.stack(norms), new Scalar(2.0));
        Tensor coef = total.add(new Scalar(1e-6)).reciprocal().mul(new Scalar(maxNorm));
        Tensor clamped = coef.clamp_max(new Scalar(1.0));
        for (Tensor g : grads) g.mul_(clamped);
        return new Result(total, clamped, grads);
    }
}
