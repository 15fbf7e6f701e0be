package dev.cogforge.core.data;

import org.bytedeco.pytorch.Tensor;

/**
 * Encodes one clip to latents for the precompute cache (the CogVideoX VAE implements this; the lead wires it).
 * Implementations must be deterministic for a given input (use the latent mean or a seeded sample).
 */
public interface VideoEncoder {
    /**
     * @param frames {@code [3, F, H, W]} float32 in [-1, 1], F = 4k+1
     * @return the latents for this one sample (e.g. {@code [16, (F-1)/4+1, H/8, W/8]}, already scaled as training expects)
     */
    Tensor encode(Tensor frames);

    /** Identifies the weights and settings (model id, revision, scaling); part of every cache key. */
    String revision();
}
