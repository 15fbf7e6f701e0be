package dev.cogforge.core.train.optim;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Prodigy (Mishchenko &amp; Defazio), following the prodigyopt 1.0 reference: Adam whose step size {@code d} is
 * estimated online from the correlation of gradients with the distance travelled from the start point
 * ({@code d_hat = d_coef · Σ d/d0 · dlr · ⟨g, p0 − p⟩ / ‖s‖₁}), never decreasing. Starts at {@code d0 = 1e-6};
 * {@code beta3} defaults to sqrt(beta2); {@code safeguard_warmup} drops lr from the {@code s} accumulator so a warmup
 * does not inflate the estimate; {@code use_bias_correction} applies Adam's correction to the step. The user lr
 * (usually 1.0) multiplies d. Weight decay is L2 unless {@code decouple}.
 */
public final class Prodigy extends AbstractOptimizer {
    public static final double DEFAULT_D0 = 1e-6;

    private final double beta1;
    private final double beta2;
    private final double beta3;
    private final double eps;
    private final boolean decouple;
    private final boolean useBiasCorrection;
    private final boolean safeguardWarmup;
    private final double dCoef;
    private final double growthRate;
    private final double d0;
    private double d;
    private double dMax;
    private double dNumerator;
    private long k;

    public Prodigy(List<ParamGroup> groups, double beta1, double beta2, Double beta3, double eps, boolean decouple,
            boolean useBiasCorrection, boolean safeguardWarmup, double dCoef) {
        super(groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.beta3 = beta3 != null ? beta3 : Math.sqrt(beta2);
        this.eps = eps;
        this.decouple = decouple;
        this.useBiasCorrection = useBiasCorrection;
        this.safeguardWarmup = safeguardWarmup;
        this.dCoef = dCoef;
        this.growthRate = Double.POSITIVE_INFINITY;
        this.d0 = DEFAULT_D0;
        this.d = d0;
        this.dMax = d0;
    }

    @Override
    public String type() {
        return "prodigy";
    }

    /** The current step-size estimate. */
    public double d() {
        return d;
    }

    @Override
    protected void update(List<List<Tensor>> gradsPerGroup) {
        double lr = groups.stream().mapToDouble(ParamGroup::lr).max().orElse(0);
        double biasCorrection = useBiasCorrection
                ? Math.sqrt(1 - Math.pow(beta2, k + 1)) / (1 - Math.pow(beta1, k + 1)) : 1.0;
        double dlr = d * lr * biasCorrection;
        dNumerator *= beta3;
        double dDenom = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup group = groups.get(gi);
            if (group.lr() != lr && group.lr() != 0.0) {
                throw new IllegalStateException("Prodigy needs every param group at the same lr (or 0), got " + group.lr() + " and " + lr);
            }
            List<Tensor> grads = gradsPerGroup.get(gi);
            for (int i = 0; i < grads.size(); i++) {
                Tensor grad = grads.get(i);
                if (grad == null) continue;
                NamedParam p = group.params().get(i);
                boolean fresh = !hasState(p, "p0");
                Tensor p0 = stateTensor(p, "p0", ScalarType.Float);
                if (fresh) p0.copy_(masterWeights(p));
                Tensor s = stateTensor(p, "s", ScalarType.Float);
                Tensor m = stateTensor(p, "exp_avg", ScalarType.Float);
                Tensor v = stateTensor(p, "exp_avg_sq", ScalarType.Float);
                Tensor g = float32(grad);
                Tensor param = masterWeights(p);
                if (group.weightDecay() != 0 && !decouple) g = g.add(param, new Scalar(group.weightDecay()));
                if (group.lr() > 0) {
                    dNumerator += (d / d0) * dlr * g.reshape(-1).dot(p0.sub(param).reshape(-1)).item_double();
                    if (beta1 > 0) m.mul_(new Scalar(beta1)).add_(g, new Scalar(d * (1 - beta1)));
                    v.mul_(new Scalar(beta2)).addcmul_(g, g, new Scalar(d * d * (1 - beta2)));
                    s.mul_(new Scalar(beta3)).add_(g, new Scalar(safeguardWarmup ? (d / d0) * d : (d / d0) * dlr));
                    dDenom += s.abs().sum().item_double();
                }
                grads.set(i, g);
            }
        }
        if (dDenom == 0) return;
        if (lr > 0) {
            double dHat = dCoef * dNumerator / dDenom;
            if (d == d0) d = Math.max(d, dHat);
            dMax = Math.max(dMax, dHat);
            d = Math.min(dMax, d * growthRate);
        }
        forEachGradient(gradsPerGroup, (group, p, g) -> {
            incrementStep(p);
            Tensor m = stateTensor(p, "exp_avg", ScalarType.Float);
            Tensor v = stateTensor(p, "exp_avg_sq", ScalarType.Float);
            Tensor denom = v.sqrt().add_(new Scalar(d * eps));
            double wd = group.weightDecay();
            onMasterWeights(p, param -> {
                if (wd != 0 && decouple) param.add_(param, new Scalar(-wd * dlr));
                if (beta1 > 0) param.addcdiv_(m, denom, new Scalar(-dlr));
                else param.addcdiv_(g, denom, new Scalar(-dlr * d));
            });
        });
        k++;
    }

    @Override
    protected void writeJson(ObjectNode json) {
        json.put("beta1", beta1).put("beta2", beta2).put("beta3", beta3).put("eps", eps).put("decouple", decouple)
                .put("use_bias_correction", useBiasCorrection).put("safeguard_warmup", safeguardWarmup)
                .put("d_coef", dCoef).put("d0", d0).put("d", d).put("d_max", dMax).put("d_numerator", dNumerator).put("k", k);
    }

    @Override
    protected void readJson(JsonNode json) {
        d = json.path("d").asDouble(d0);
        dMax = json.path("d_max").asDouble(d0);
        dNumerator = json.path("d_numerator").asDouble(0);
        k = json.path("k").asLong(0);
    }
}
