/**
 * CogVideoX noise schedules and samplers, numerically matching diffusers' {@code CogVideoXDDIMScheduler} and
 * {@code CogVideoXDPMScheduler} (v0.32): {@link dev.cogforge.core.schedulers.SchedulerConfig} reads
 * {@code scheduler_config.json}; {@link dev.cogforge.core.schedulers.NoiseSchedule} holds the float64 tables and the
 * forward process; the two scheduler classes step the reverse process; {@link dev.cogforge.core.schedulers.TrainingNoise}
 * is the scheduler side of a training step; {@link dev.cogforge.core.schedulers.SamplingLoop} and
 * {@link dev.cogforge.core.schedulers.Guidance} are the pipeline's denoising loop without the model.
 *
 * <p>Random draws go through {@link dev.cogforge.core.schedulers.NoiseSource}; a seeded
 * {@link dev.cogforge.core.schedulers.GeneratorNoise} reproduces {@code torch.Generator().manual_seed(seed)} streams
 * (checked bit-exact against the reference fixtures).
 */
package dev.cogforge.core.schedulers;
