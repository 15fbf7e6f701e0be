/**
 * Sampling: diffusers' CogVideoX text-to-video and image-to-video pipelines ({@link dev.cogforge.core.pipeline.CogVideoXPipeline})
 * over a model folder, with LoRA adapters at chosen weights, mp4/PNG/GIF output, progress and cancellation; the shared
 * guided denoising core ({@link dev.cogforge.core.pipeline.Denoising}) that the {@code sample-cfg} parity fixture runs;
 * and the trainer's validation renderer.
 */
package dev.cogforge.core.pipeline;
