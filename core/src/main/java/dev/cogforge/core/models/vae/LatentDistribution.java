package dev.cogforge.core.models.vae;

import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * diffusers' {@code DiagonalGaussianDistribution} over VAE latents {@code [B, latent, T', h, w]}: the encoder's
 * moments split into mean and log-variance, the latter clamped to [-30, 20] before {@code std = exp(logvar / 2)}.
 */
public record LatentDistribution(Tensor mean, Tensor logvar, Tensor std) {

    /** Splits encoder moments {@code [B, 2*latent, ...]} into mean and clamped log-variance. */
    public static LatentDistribution fromMoments(Tensor moments, long latentChannels) {
        if (moments.size(1) != 2 * latentChannels) {
            throw new IllegalStateException("encoder produced " + moments.size(1) + " channels, expected " + 2 * latentChannels);
        }
        Tensor mean = moments.narrow(1, 0, latentChannels);
        Tensor logvar = moments.narrow(1, latentChannels, latentChannels)
                .clamp(new ScalarOptional(new Scalar(-30.0)), new ScalarOptional(new Scalar(20.0)));
        Tensor std = torch.exp(logvar.mul(new Scalar(0.5)));
        return new LatentDistribution(mean, logvar, std);
    }

    /** {@code mean + std * noise}; {@code noise} must have the mean's shape. */
    public Tensor sample(Tensor noise) {
        for (int d = 0; d < mean.dim(); d++) {
            if (noise.dim() != mean.dim() || noise.size(d) != mean.size(d)) {
                throw new IllegalArgumentException("noise shape " + java.util.Arrays.toString(dev.cogforge.core.engine.Tensors.shape(noise))
                        + " does not match the latent shape " + java.util.Arrays.toString(dev.cogforge.core.engine.Tensors.shape(mean)));
            }
        }
        return mean.add(std.mul(noise));
    }

    /** Draws the noise from {@code generator} like diffusers' {@code randn_tensor} on a CPU generator. */
    public Tensor sample(Generator generator) {
        Tensor noise = torch.randn(dev.cogforge.core.engine.Tensors.shape(mean), new GeneratorOptional(generator),
                new TensorOptions(mean.scalar_type()));
        return sample(noise.to(mean.device(), mean.scalar_type()));
    }

    /** The distribution's mode (its mean), what {@code sample_posterior=False} uses. */
    public Tensor mode() {
        return mean;
    }
}
