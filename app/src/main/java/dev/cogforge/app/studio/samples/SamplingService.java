package dev.cogforge.app.studio.samples;

import java.nio.file.Path;

import dev.cogforge.core.data.CancellationToken;

/** Renders one video with a trained LoRA; the studio's seam to {@code dev.cogforge.core.pipeline.CogVideoXPipeline}. */
@FunctionalInterface
public interface SamplingService {
    /** What to render. {@code model} is a local folder or Hub id; {@code lora} a diffusers-keyed LoRA file. */
    record Request(String model, Path lora, double loraWeight, String prompt, String negativePrompt, long seed, int steps,
            double guidanceScale, int frames, int height, int width, int fps, Path output) {}

    /** Called on the sampling thread with the finished denoising steps. */
    @FunctionalInterface
    interface Progress {
        void step(int done, int total);
    }

    Path generate(Request request, Progress progress, CancellationToken cancel) throws Exception;
}
