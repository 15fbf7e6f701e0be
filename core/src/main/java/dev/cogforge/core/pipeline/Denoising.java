package dev.cogforge.core.pipeline;

import java.util.Arrays;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.RotaryEmbedding;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.schedulers.CogVideoXScheduler;
import dev.cogforge.core.schedulers.Guidance;
import dev.cogforge.core.schedulers.NoiseSource;
import dev.cogforge.core.schedulers.SamplingLoop;

/**
 * The model half of {@code CogVideoXPipeline.__call__} / {@code CogVideoXImageToVideoPipeline.__call__}: the
 * transformer as {@link SamplingLoop.Denoiser} (CFG batch of {@code [uncond; cond]} text, image latents concatenated
 * on channels, timestep broadcast over the batch, ofs and rotary tables) and the latent-size rules the pipelines
 * apply. The same code runs the parity fixture and real generation.
 */
public final class Denoising {
    private Denoising() {}

    /**
     * What the transformer sees besides the latents. {@code negativeEmbeds} is needed only when guidance is on;
     * {@code imageLatents} ({@code [B, F, C, h, w]}, first frame then zeros) only for image-to-video models.
     */
    public record Conditioning(Tensor promptEmbeds, Tensor negativeEmbeds, Tensor imageLatents, Tensor ofs, RotaryEmbedding.Tables rotary) {}

    /** Latent frames of a {@code numFrames} video ({@code (F − 1) / ratio + 1}). */
    public static int latentFrames(int numFrames, int temporalRatio) {
        return (numFrames - 1) / temporalRatio + 1;
    }

    /**
     * Extra latent frames a 1.5 model ({@code patch_size_t}) needs so that the latent frame count divides the temporal
     * patch; the pipeline samples them and drops them from the front before decoding. 0 for CogVideoX 1.0.
     */
    public static int paddingFrames(TransformerConfig config, int latentFrames) {
        Integer pt = config.patchSizeT();
        if (pt == null || latentFrames % pt == 0) return 0;
        return pt - latentFrames % pt;
    }

    /** The rotary tables for a latent video, or null for models that add a sincos table instead. */
    public static RotaryEmbedding.Tables rotary(TransformerConfig config, int heightPx, int widthPx, int latentFrames, int vaeSpatial) {
        if (!config.useRotaryPositionalEmbeddings()) return null;
        return RotaryEmbedding.prepare(heightPx, widthPx, latentFrames, vaeSpatial, config.patchSize(), config.patchSizeT(),
                config.attentionHeadDim(), config.sampleHeight() * vaeSpatial, config.sampleWidth() * vaeSpatial);
    }

    /** {@code ofs = [2.0]} for models with an ofs embedding (1.5 I2V), as the pipeline passes it; null otherwise. */
    public static Tensor ofsFor(TransformerConfig config, ScalarType dtype) {
        return config.hasOfsEmbedding() ? Tensors.fromFloats(new float[] {2.0f}, 1).to(dtype) : null;
    }

    /** The transformer as the sampling loop's denoiser; the prediction is cast to float32 as the pipeline does. */
    public static SamplingLoop.Denoiser denoiser(CogVideoXTransformer3D transformer, Conditioning c, boolean guided) {
        TransformerConfig config = transformer.config();
        long latentChannels = config.outChannels();
        boolean imageToVideo = config.inChannels() == 2 * latentChannels;
        if (imageToVideo != (c.imageLatents() != null)) {
            throw new IllegalArgumentException(imageToVideo
                    ? "this is an image-to-video model (in_channels " + config.inChannels() + " = 2 x " + latentChannels + "): give a first-frame image"
                    : "this text-to-video model (in_channels " + config.inChannels() + ") cannot take a conditioning image");
        }
        if (guided && c.negativeEmbeds() == null) throw new IllegalArgumentException("guidance needs negative prompt embeddings");
        return (input, t) -> {
            try (NoGradGuard ng = new NoGradGuard()) {
                ScalarType dtype = input.scalar_type();
                Tensor text = guided ? torch.cat(new TensorVector(c.negativeEmbeds(), c.promptEmbeds()), 0) : c.promptEmbeds();
                Tensor x = input;
                if (c.imageLatents() != null) {
                    Tensor img = guided ? torch.cat(new TensorVector(c.imageLatents(), c.imageLatents()), 0) : c.imageLatents();
                    x = torch.cat(new TensorVector(input, img.to(input.device(), dtype)), 2);
                }
                long[] steps = new long[(int) x.size(0)];
                Arrays.fill(steps, t);
                Tensor timestep = Tensors.fromLongs(steps, steps.length);
                if (!input.device().is_cpu()) timestep = timestep.to(input.device(), ScalarType.Long);
                Tensor ofs = c.ofs() == null ? null : c.ofs().to(input.device(), dtype);
                RotaryEmbedding.Tables rotary = c.rotary() == null || input.device().is_cpu() ? c.rotary() : c.rotary().to(input.device());
                return transformer.forward(x, text.to(input.device(), dtype), timestep, ofs, rotary).to(ScalarType.Float);
            }
        };
    }

    /**
     * Runs the whole loop from {@code initialLatents} ({@code [B, F, C, h, w]}); the result is in the caller's scope.
     * The guidance scale decides whether the unconditional branch runs ({@code > 1}), as in the pipeline.
     */
    public static Tensor sample(CogVideoXTransformer3D transformer, CogVideoXScheduler scheduler, Tensor initialLatents, int steps,
                                double guidanceScale, boolean dynamicCfg, Conditioning conditioning, NoiseSource noise,
                                SamplingLoop.StepListener listener) {
        boolean guided = Guidance.enabled(guidanceScale);
        SamplingLoop loop = new SamplingLoop(scheduler, guidanceScale, dynamicCfg);
        return loop.run(initialLatents, steps, denoiser(transformer, conditioning, guided), noise, listener);
    }
}
