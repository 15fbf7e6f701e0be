package dev.cogforge.core.schedulers;

import org.bytedeco.pytorch.Tensor;

/**
 * diffusers' {@code CogVideoXDDIMScheduler}: deterministic DDIM (η is accepted by diffusers but never used, so there
 * is no noise and no generator here).
 */
public final class CogVideoXDdimScheduler extends CogVideoXScheduler {
    public CogVideoXDdimScheduler(SchedulerConfig config) {
        super(config);
    }

    @Override
    public Kind kind() {
        return Kind.DDIM;
    }

    /**
     * {@code x_prev = a·x_t + b·x̂0} with {@code a = sqrt((1−ᾱ_prev)/(1−ᾱ_t))}, {@code b = sqrt(ᾱ_prev) − sqrt(ᾱ_t)·a}.
     */
    public SchedulerStep step(Tensor modelOutput, long timestep, Tensor sample) {
        requireTimesteps();
        checkSameShape(modelOutput, sample);
        long prev = prevTimestep(timestep);
        double alphaProdT = schedule.alphaCumprod(timestep);
        double alphaProdPrev = schedule.alphaCumprodOrFinal(prev);
        Tensor predOriginal = predictOriginal(modelOutput, sample, alphaProdT);
        double a = Math.sqrt((1 - alphaProdPrev) / (1 - alphaProdT));
        double b = Math.sqrt(alphaProdPrev) - Math.sqrt(alphaProdT) * a;
        Tensor prevSample = scaled(sample, a).add(scaled(predOriginal, b));
        return new SchedulerStep(prevSample, predOriginal);
    }

    @Override
    public SchedulerStep stepAt(int index, Tensor modelOutput, Tensor previousPredOriginal, Tensor sample, NoiseSource noise) {
        return step(modelOutput, timestepAt(index), sample);
    }
}
