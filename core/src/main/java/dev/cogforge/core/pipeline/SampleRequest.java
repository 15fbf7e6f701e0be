package dev.cogforge.core.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import dev.cogforge.core.schedulers.CogVideoXScheduler;

/**
 * One sampling job. Sizes and counts of 0 mean "the model's default" (frames = {@code sample_frames}, height/width =
 * {@code sample_height/width} × the VAE's spatial ratio, 50 steps, fps 8 for CogVideoX 1.0 and 16 for 1.5).
 * Frame counts are {@code 4k+1}; as in diffusers, the VAE's two-latent-frame decode batches turn an even latent frame
 * count into more frames than asked (5 frames → 2 latents → 8 frames), so the released sizes (49, 81) and other
 * {@code 8k+1} counts come out exactly; {@link SampleResult#frames()} reports what was written.
 *
 * @param image        first frame for image-to-video models; null for text-to-video
 * @param scheduler    {@code "dpm"} or {@code "ddim"}
 * @param output       the mp4 to write (replaced atomically)
 * @param pngFramesDir when set, every frame is also written as {@code frame_0000.png}, ...
 * @param gif          also write an animated GIF next to the mp4 (same name, {@code .gif})
 */
public record SampleRequest(String prompt, String negativePrompt, Path image, int frames, int height, int width, int steps,
                            double guidanceScale, boolean dynamicCfg, long seed, String scheduler, List<LoraSpec> loras,
                            Path output, int fps, boolean tiling, boolean slicing, Path pngFramesDir, boolean gif) {
    public static final int DEFAULT_STEPS = 50;
    public static final double DEFAULT_GUIDANCE = 6.0;

    public SampleRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(output, "output");
        if (negativePrompt == null) negativePrompt = "";
        if (scheduler == null || scheduler.isBlank()) scheduler = "dpm";
        CogVideoXScheduler.Kind.parse(scheduler);
        loras = loras == null ? List.of() : List.copyOf(loras);
        if (frames < 0 || height < 0 || width < 0 || steps < 0 || fps < 0) {
            throw new IllegalArgumentException("frames, height, width, steps and fps must be >= 0 (0 = model default)");
        }
        if (!(guidanceScale >= 0) || Double.isInfinite(guidanceScale)) {
            throw new IllegalArgumentException("guidance scale must be a finite number >= 0, got " + guidanceScale);
        }
    }

    /** The contract's fields only: no tiling or slicing, no PNG frames, no GIF. */
    public SampleRequest(String prompt, String negativePrompt, Path image, int frames, int height, int width, int steps,
                         double guidanceScale, boolean dynamicCfg, long seed, String scheduler, List<LoraSpec> loras, Path output,
                         int fps) {
        this(prompt, negativePrompt, image, frames, height, width, steps, guidanceScale, dynamicCfg, seed, scheduler, loras, output,
                fps, false, false, null, false);
    }

    /** Pipeline defaults (model-default size, 50 DPM steps, guidance 6, seed 42) for {@code prompt}. */
    public static SampleRequest of(String prompt, Path output) {
        return new SampleRequest(prompt, "", null, 0, 0, 0, DEFAULT_STEPS, DEFAULT_GUIDANCE, false, 42, "dpm", List.of(), output, 0);
    }

    public SampleRequest withSize(int frames, int height, int width) {
        return new SampleRequest(prompt, negativePrompt, image, frames, height, width, steps, guidanceScale, dynamicCfg, seed, scheduler,
                loras, output, fps, tiling, slicing, pngFramesDir, gif);
    }

    public SampleRequest withSampling(int steps, double guidanceScale, boolean dynamicCfg, long seed, String scheduler) {
        return new SampleRequest(prompt, negativePrompt, image, frames, height, width, steps, guidanceScale, dynamicCfg, seed, scheduler,
                loras, output, fps, tiling, slicing, pngFramesDir, gif);
    }

    public SampleRequest withImage(Path image) {
        return new SampleRequest(prompt, negativePrompt, image, frames, height, width, steps, guidanceScale, dynamicCfg, seed, scheduler,
                loras, output, fps, tiling, slicing, pngFramesDir, gif);
    }

    public SampleRequest withLoras(List<LoraSpec> loras) {
        return new SampleRequest(prompt, negativePrompt, image, frames, height, width, steps, guidanceScale, dynamicCfg, seed, scheduler,
                loras, output, fps, tiling, slicing, pngFramesDir, gif);
    }

    public SampleRequest withOutput(Path output, int fps, Path pngFramesDir, boolean gif) {
        return new SampleRequest(prompt, negativePrompt, image, frames, height, width, steps, guidanceScale, dynamicCfg, seed, scheduler,
                loras, output, fps, tiling, slicing, pngFramesDir, gif);
    }

    public SampleRequest withVaeOptions(boolean tiling, boolean slicing) {
        return new SampleRequest(prompt, negativePrompt, image, frames, height, width, steps, guidanceScale, dynamicCfg, seed, scheduler,
                loras, output, fps, tiling, slicing, pngFramesDir, gif);
    }

    public SampleRequest withNegativePrompt(String negativePrompt) {
        return new SampleRequest(prompt, negativePrompt, image, frames, height, width, steps, guidanceScale, dynamicCfg, seed, scheduler,
                loras, output, fps, tiling, slicing, pngFramesDir, gif);
    }

    public CogVideoXScheduler.Kind schedulerKind() {
        return CogVideoXScheduler.Kind.parse(scheduler);
    }
}
