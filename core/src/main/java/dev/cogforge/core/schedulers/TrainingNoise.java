package dev.cogforge.core.schedulers;

import java.util.Arrays;

import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;

/**
 * The forward-diffusion half of a cogvideox-factory training step: timestep sampling, noising, turning the model's
 * v-prediction into an x̂0 estimate, and the SNR-weighted MSE loss against the clean latents. All per-timestep values
 * come from the float32 copy of ᾱ, as the factory moves {@code scheduler.alphas_cumprod} to float32.
 */
public final class TrainingNoise {
    private final NoiseSchedule schedule;

    public TrainingNoise(NoiseSchedule schedule) {
        this.schedule = schedule;
    }

    public TrainingNoise(SchedulerConfig config) {
        this(new NoiseSchedule(config));
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    /** Uniform int64 timesteps in {@code [0, num_train_timesteps)}, one per batch element. */
    public Tensor sampleTimesteps(long batchSize, GeneratorNoise generator) {
        Engine.ensureLoaded();
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        return torch.randint(0, schedule.numTrainTimesteps(), new long[] {batchSize}, new GeneratorOptional(generator.generator()),
                new TensorOptions(ScalarType.Long));
    }

    /** ᾱ_t (float32 table) for each timestep. */
    public float[] alphasCumprod(long... timesteps) {
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) out[i] = schedule.alphaCumprodFloat(timesteps[i]);
        return out;
    }

    /** {@code x_t = sqrt(ᾱ_t)·x0 + sqrt(1−ᾱ_t)·noise}. */
    public Tensor addNoise(Tensor latents, Tensor noise, Tensor timesteps) {
        return schedule.addNoise(latents, noise, timesteps);
    }

    /** The v-prediction target {@code sqrt(ᾱ_t)·noise − sqrt(1−ᾱ_t)·x0}. */
    public Tensor velocityTarget(Tensor latents, Tensor noise, Tensor timesteps) {
        return schedule.getVelocity(latents, noise, timesteps);
    }

    /**
     * x̂0 from a v-prediction: the factory's {@code get_velocity(model_output, noisy, t)} with swapped arguments,
     * {@code sqrt(ᾱ_t)·x_t − sqrt(1−ᾱ_t)·v̂}.
     */
    public Tensor predictedOriginal(Tensor modelOutput, Tensor noisyLatents, Tensor timesteps) {
        return schedule.getVelocity(modelOutput, noisyLatents, timesteps);
    }

    /**
     * Loss weights {@code 1 / (1 − ᾱ_t)} shaped {@code [B, 1, ...]} to broadcast over a tensor of {@code rank}
     * dimensions. With an x̂0 loss this weight turns the objective into the plain v-prediction MSE
     * (|x̂0 − x0|² = (1−ᾱ)·|v̂ − v|²).
     */
    public Tensor lossWeights(Tensor timesteps, int rank) {
        Engine.ensureLoaded();
        if (rank < 1) throw new IllegalArgumentException("rank must be >= 1, got " + rank);
        double[] t = Tensors.toDoubles(timesteps.reshape(-1));
        float[] w = new float[t.length];
        for (int i = 0; i < w.length; i++) w[i] = 1.0f / (1.0f - schedule.alphaCumprodFloat((long) t[i]));
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        shape[0] = w.length;
        return Tensors.fromFloats(w, shape);
    }

    /**
     * {@code mean_b( mean( w_b · (prediction − target)² ) )}: the factory's loss, averaged per sample first so every
     * sample counts equally whatever its weight.
     */
    public Tensor weightedMseLoss(Tensor prediction, Tensor target, Tensor timesteps) {
        long[] shape = Tensors.shape(prediction);
        if (!Arrays.equals(shape, Tensors.shape(target))) {
            throw new IllegalArgumentException("prediction shape " + Arrays.toString(shape) + " differs from target shape "
                    + Arrays.toString(Tensors.shape(target)));
        }
        Tensor weights = lossWeights(timesteps, shape.length);
        if (weights.size(0) != shape[0]) {
            throw new IllegalArgumentException(weights.size(0) + " timesteps for a batch of " + shape[0]);
        }
        Tensor diff = prediction.sub(target);
        Tensor weighted = weights.to(prediction.scalar_type()).mul(diff.mul(diff));
        return weighted.reshape(shape[0], -1).mean(new long[] {1}, false, new ScalarTypeOptional()).mean();
    }
}
