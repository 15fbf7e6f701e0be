package dev.cogforge.core.train.optim;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** {@code torch.nn.utils.clip_grad_norm_} (L2): scale every gradient by {@code min(1, maxNorm / (total + 1e-6))}. */
public final class ClipGrad {
    /** torch adds this to the norm so a zero gradient never divides by zero. */
    public static final double EPSILON = 1e-6;

    private ClipGrad() {}

    /** Clips the {@code .grad()} of each parameter in place; returns the total L2 norm before clipping. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> grads = new ArrayList<>();
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g.defined()) grads.add(g);
            }
            return clipGradients(grads, maxNorm);
        }
    }

    /**
     * Clips the given gradient tensors in place; returns the total norm before clipping (NaN/inf pass through so the
     * caller can skip the step). Per-tensor norms are float32 like torch's; they are combined in double.
     */
    public static double clipGradients(List<Tensor> grads, double maxNorm) {
        if (grads.isEmpty()) return 0.0;
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            double sumSq = 0;
            for (Tensor g : grads) {
                double n = g.to(ScalarType.Float).norm().item_double();
                sumSq += n * n;
            }
            double total = (float) Math.sqrt(sumSq);
            double coef = Math.min(1.0, (float) (maxNorm / (total + EPSILON)));
            if (coef < 1.0) {
                Scalar c = new Scalar((double) (float) coef);
                for (Tensor g : grads) g.mul_(c);
            }
            return total;
        }
    }
}
