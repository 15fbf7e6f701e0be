package dev.cogforge.core.schedulers;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The denoising loop of diffusers' {@code CogVideoXPipeline.__call__} without the model: for each timestep the
 * latents are doubled for classifier-free guidance, the {@link Denoiser} predicts, the halves are combined (with the
 * optional dynamic guidance scale) and the scheduler steps; the DPM scheduler gets the previous x̂0 and timestep.
 * Each step runs in its own {@code PointerScope}; only the latents and the carried x̂0 survive between steps.
 */
public final class SamplingLoop {
    /** The model call: {@code [2B or B, ...]} latents and the current timestep to a prediction of the same shape. */
    @FunctionalInterface
    public interface Denoiser {
        Tensor predict(Tensor latentModelInput, long timestep);
    }

    /** Progress hook after each step (index, timestep, new latents); the latents are only valid during the call. */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(int index, long timestep, Tensor latents, Tensor guidedPrediction);
    }

    private final CogVideoXScheduler scheduler;
    private final double guidanceScale;
    private final boolean dynamicGuidance;

    public SamplingLoop(CogVideoXScheduler scheduler, double guidanceScale, boolean dynamicGuidance) {
        if (!(guidanceScale >= 0) || Double.isInfinite(guidanceScale)) {
            throw new IllegalArgumentException("guidance scale must be a finite number >= 0, got " + guidanceScale);
        }
        this.scheduler = scheduler;
        this.guidanceScale = guidanceScale;
        this.dynamicGuidance = dynamicGuidance;
    }

    /** The guidance scale in effect at {@code timestep}. */
    public double guidanceAt(long timestep, int numInferenceSteps) {
        return dynamicGuidance ? Guidance.dynamicScale(guidanceScale, timestep, numInferenceSteps) : guidanceScale;
    }

    /**
     * Runs {@code numInferenceSteps} steps from {@code initialLatents} (already scaled by the scheduler's init noise
     * sigma, which is 1). Returns new latents in the dtype of {@code initialLatents}, owned by the caller's scope.
     */
    @SuppressWarnings("try") // one scope per step frees that step's temporaries
    public Tensor run(Tensor initialLatents, int numInferenceSteps, Denoiser denoiser, NoiseSource noise, StepListener listener) {
        long[] timesteps = scheduler.setTimesteps(numInferenceSteps);
        // whether the unconditional branch runs is decided by the base scale, as in the pipeline
        boolean guided = Guidance.enabled(guidanceScale);
        ScalarType latentType = initialLatents.scalar_type();
        Tensor latents = retained(initialLatents.detach());
        Tensor previousX0 = null;
        try {
            for (int i = 0; i < timesteps.length; i++) {
                long t = timesteps[i];
                try (PointerScope scope = new PointerScope()) {
                    Tensor input = guided ? torch.cat(new TensorVector(latents, latents), 0) : latents;
                    Tensor prediction = denoiser.predict(input, t).to(ScalarType.Float);
                    if (guided) prediction = Guidance.combineBatched(prediction, guidanceAt(t, numInferenceSteps));
                    SchedulerStep step = scheduler.stepAt(i, prediction, previousX0, latents, noise);
                    Tensor next = step.prevSample().to(latentType);
                    if (listener != null) listener.afterStep(i, t, next, prediction);
                    latents = replace(latents, next);
                    previousX0 = replace(previousX0, step.predOriginalSample());
                }
            }
            return latents.detach();
        } finally {
            latents.releaseReference();
            if (previousX0 != null) previousX0.releaseReference();
        }
    }

    private static Tensor retained(Tensor t) {
        t.retainReference();
        return t;
    }

    private static Tensor replace(Tensor old, Tensor fresh) {
        fresh.retainReference();
        if (old != null) old.releaseReference();
        return fresh;
    }
}
