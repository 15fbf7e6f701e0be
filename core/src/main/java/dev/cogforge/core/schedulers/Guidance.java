package dev.cogforge.core.schedulers;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Classifier-free guidance as {@code CogVideoXPipeline} applies it: the model runs on {@code [uncond; cond]} stacked
 * along the batch, and the two halves are combined as {@code uncond + s·(cond − uncond)}.
 */
public final class Guidance {
    private Guidance() {}

    /** Whether the pipeline runs the unconditional branch at all ({@code guidance_scale > 1}). */
    public static boolean enabled(double guidanceScale) {
        return guidanceScale > 1.0;
    }

    /** {@code uncond + scale·(cond − uncond)}. */
    public static Tensor combine(Tensor uncond, Tensor cond, double scale) {
        return uncond.add(cond.sub(uncond).mul(new Scalar(scale)));
    }

    /** Splits a {@code [2B, ...]} prediction into its unconditional (first) and conditional (second) halves and combines them. */
    public static Tensor combineBatched(Tensor prediction, double scale) {
        long batch = prediction.size(0);
        if (batch % 2 != 0) {
            throw new IllegalArgumentException("a guided batch stacks [uncond; cond] and must be even, got " + batch);
        }
        TensorVector halves = prediction.chunk(2, 0);
        return combine(halves.get(0), halves.get(1), scale);
    }

    /**
     * The pipeline's dynamic guidance scale {@code 1 + s·(1 − cos(π·((n − t)/n)^5))/2}. As upstream, {@code t} is the
     * timestep value (e.g. 999), not the step index; the pipeline applies it only when {@code use_dynamic_cfg} is set.
     */
    public static double dynamicScale(double guidanceScale, long timestep, int numInferenceSteps) {
        if (numInferenceSteps < 1) throw new IllegalArgumentException("num_inference_steps must be >= 1, got " + numInferenceSteps);
        double progress = (double) (numInferenceSteps - timestep) / numInferenceSteps;
        return 1 + guidanceScale * ((1 - Math.cos(Math.PI * Math.pow(progress, 5.0))) / 2);
    }
}
