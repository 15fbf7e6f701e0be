package dev.cogforge.core.train.optim;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Adam with torch.optim semantics (single-tensor path of torch 1.13+). {@code decoupled = true} is AdamW
 * ({@code p *= 1 - lr·wd} before the moment update); {@code false} is torch.optim.Adam's L2 form
 * ({@code g += wd·p}). Moments are float32 whatever the parameter dtype.
 */
public final class AdamW extends AbstractOptimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final boolean decoupled;

    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps, boolean decoupled) {
        super(groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupled = decoupled;
    }

    /** torch.optim.AdamW defaults: betas (0.9, 0.999), eps 1e-8. */
    public static AdamW adamW(List<NamedParam> params, double lr, double weightDecay, double beta1, double beta2, double eps) {
        return new AdamW(List.of(new ParamGroup(params, lr, weightDecay)), beta1, beta2, eps, true);
    }

    /** torch.optim.Adam: weight decay added to the gradient (coupled L2). */
    public static AdamW adam(List<NamedParam> params, double lr, double weightDecay, double beta1, double beta2, double eps) {
        return new AdamW(List.of(new ParamGroup(params, lr, weightDecay)), beta1, beta2, eps, false);
    }

    @Override
    public String type() {
        return decoupled ? "adamw" : "adam";
    }

    @Override
    protected void update(List<List<Tensor>> gradsPerGroup) {
        forEachGradient(gradsPerGroup, (group, p, grad) -> {
            Tensor m = stateTensor(p, "exp_avg", ScalarType.Float);
            Tensor v = stateTensor(p, "exp_avg_sq", ScalarType.Float);
            decayAndUpdate(this, p, grad, m, v, incrementStep(p), group, decoupled, beta1, beta2, eps);
        });
    }

    /**
     * Weight decay (decoupled: shrinks the weights; else coupled L2 added to the gradient), then the Adam update, on a
     * the parameter's float32 (master) weights; {@code m} and {@code v} are float32 moments updated in place.
     */
    static void decayAndUpdate(AbstractOptimizer owner, NamedParam p, Tensor grad, Tensor m, Tensor v, long step, ParamGroup group, boolean decoupled,
            double beta1, double beta2, double eps) {
        double lr = group.lr();
        double wd = group.weightDecay();
        owner.onMasterWeights(p, param -> {
            Tensor g = float32(grad);
            if (wd != 0) {
                if (decoupled) param.mul_(new Scalar(1 - lr * wd));
                else g = g.add(param, new Scalar(wd));
            }
            adamUpdate(param, g, m, v, step, lr, beta1, beta2, eps);
        });
    }

    /** The shared moment update and bias-corrected step of Adam/AdamW, in place on float32 tensors. */
    static void adamUpdate(Tensor param, Tensor g, Tensor m, Tensor v, long step, double lr, double beta1, double beta2, double eps) {
        m.mul_(new Scalar(beta1)).add_(g, new Scalar(1 - beta1));
        v.mul_(new Scalar(beta2)).addcmul_(g, g, new Scalar(1 - beta2));
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        Tensor denom = v.sqrt().div_(new Scalar(bc2Sqrt)).add_(new Scalar(eps));
        param.addcdiv_(m, denom, new Scalar(-lr / bc1));
    }

    @Override
    protected void writeJson(ObjectNode json) {
        json.put("beta1", beta1).put("beta2", beta2).put("eps", eps).put("decoupled_weight_decay", decoupled);
    }
}
