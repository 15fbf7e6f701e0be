package dev.cogforge.core.schedulers;

import java.util.OptionalLong;

import org.bytedeco.pytorch.Tensor;

import dev.cogforge.core.engine.Tensors;

/**
 * diffusers' {@code CogVideoXDPMScheduler}: a stochastic DPM-Solver++(2M)-style multistep sampler in half-log-SNR
 * λ = log sqrt(ᾱ/(1−ᾱ)). The first step (and a step landing past t = 0) is first order; later steps extrapolate x̂0
 * with the previous step's estimate.
 *
 * <p>Reproduces two upstream details that matter for parity: every step draws one noise tensor up front, and a
 * second-order step draws a second one and uses only that; the coefficients rely on IEEE infinities at ᾱ = 0
 * (t = 999 after the zero-SNR rescale) and ᾱ = 1 (past the last step), where λ = ∓∞.
 */
public final class CogVideoXDpmScheduler extends CogVideoXScheduler {
    public CogVideoXDpmScheduler(SchedulerConfig config) {
        super(config);
    }

    @Override
    public Kind kind() {
        return Kind.DPM;
    }

    /**
     * diffusers' {@code step(model_output, old_pred_original_sample, timestep, timestep_back, sample, generator)}.
     *
     * @param previousPredOriginal x̂0 returned by the previous step, or {@code null} on the first step
     * @param timestepBack         the previous (larger) timestep of the loop; required when {@code previousPredOriginal} is given
     */
    public SchedulerStep step(Tensor modelOutput, Tensor previousPredOriginal, long timestep, OptionalLong timestepBack,
                              Tensor sample, NoiseSource noise) {
        requireTimesteps();
        checkSameShape(modelOutput, sample);
        if (noise == null) throw new IllegalArgumentException("the DPM scheduler needs a noise source (e.g. NoiseSource.seeded(seed))");
        if (previousPredOriginal != null) checkSameShape(previousPredOriginal, sample);
        long prev = prevTimestep(timestep);
        double alphaProdT = schedule.alphaCumprod(timestep);
        double alphaProdPrev = schedule.alphaCumprodOrFinal(prev);

        Tensor predOriginal = predictOriginal(modelOutput, sample, alphaProdT);

        double lambda = halfLogSnr(alphaProdT);
        double lambdaNext = halfLogSnr(alphaProdPrev);
        double h = lambdaNext - lambda;
        double mult1 = Math.sqrt((1 - alphaProdPrev) / (1 - alphaProdT)) * Math.exp(-h);
        double mult2 = Math.expm1(-2 * h) * Math.sqrt(alphaProdPrev);
        double multNoise = Math.sqrt(1 - alphaProdPrev) * Math.sqrt(1 - Math.exp(-2 * h));

        Tensor firstNoise = noise.draw(Tensors.shape(sample), sample.scalar_type());
        boolean secondOrder = previousPredOriginal != null && prev >= 0;
        if (!secondOrder) {
            Tensor prevSample = scaled(sample, mult1).sub(scaled(predOriginal, mult2)).add(scaled(firstNoise, multNoise));
            return new SchedulerStep(prevSample, predOriginal);
        }
        if (timestepBack.isEmpty()) {
            throw new IllegalArgumentException("timestep_back is required when the previous x0 estimate is given (step from t=" + timestep + ")");
        }
        double alphaProdBack = schedule.alphaCumprod(timestepBack.getAsLong());
        double hLast = lambda - halfLogSnr(alphaProdBack);
        double r = hLast / h;
        double mult3 = 1 + 1 / (2 * r);
        double mult4 = 1 / (2 * r);
        Tensor denoised = scaled(predOriginal, mult3).sub(scaled(previousPredOriginal, mult4));
        Tensor secondNoise = noise.draw(Tensors.shape(sample), sample.scalar_type());
        Tensor prevSample = scaled(sample, mult1).sub(scaled(denoised, mult2)).add(scaled(secondNoise, multNoise));
        return new SchedulerStep(prevSample, predOriginal);
    }

    @Override
    public SchedulerStep stepAt(int index, Tensor modelOutput, Tensor previousPredOriginal, Tensor sample, NoiseSource noise) {
        long t = timestepAt(index);
        OptionalLong back = index > 0 ? OptionalLong.of(timestepAt(index - 1)) : OptionalLong.empty();
        return step(modelOutput, index > 0 ? previousPredOriginal : null, t, back, sample, noise);
    }

    /** λ(ᾱ) = log(sqrt(ᾱ / (1 − ᾱ))); −∞ at ᾱ = 0 and +∞ at ᾱ = 1. */
    static double halfLogSnr(double alphaCumprod) {
        return Math.log(Math.sqrt(alphaCumprod / (1 - alphaCumprod)));
    }
}
