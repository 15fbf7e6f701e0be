package dev.cogforge.core.schedulers;

import org.bytedeco.pytorch.Tensor;

/**
 * One scheduler step's result: the latents for the next (smaller) timestep and the model's clean-sample estimate
 * x̂0 at this step. The DPM scheduler needs x̂0 back as {@code previousPredOriginal} on the following step.
 */
public record SchedulerStep(Tensor prevSample, Tensor predOriginalSample) {
}
