package dev.cogforge.core.schedulers;

import java.util.Arrays;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;

/**
 * Common part of diffusers' {@code CogVideoXDDIMScheduler} and {@code CogVideoXDPMScheduler}: the noise schedule,
 * {@code set_timesteps} and the conversion of a model output into x̂0. Step coefficients are formed in float64 and
 * then multiply the (usually float32) tensors, which rounds them to the tensor dtype exactly as PyTorch does with a
 * 0-d float64 tensor operand. Tensors a step returns belong to the caller's {@code PointerScope}.
 */
public abstract sealed class CogVideoXScheduler permits CogVideoXDdimScheduler, CogVideoXDpmScheduler {
    /** The two samplers CogVideoX ships with. */
    public enum Kind {
        DDIM, DPM;

        public static Kind parse(String name) {
            return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "ddim", "cogvideoxddimscheduler" -> DDIM;
                case "dpm", "dpm++", "cogvideoxdpmscheduler" -> DPM;
                default -> throw new IllegalArgumentException("unknown scheduler '" + name + "'; expected ddim or dpm");
            };
        }
    }

    protected final NoiseSchedule schedule;
    private long[] timesteps;
    private int numInferenceSteps;

    protected CogVideoXScheduler(SchedulerConfig config) {
        this.schedule = new NoiseSchedule(config);
    }

    public static CogVideoXScheduler create(Kind kind, SchedulerConfig config) {
        return switch (kind) {
            case DDIM -> new CogVideoXDdimScheduler(config);
            case DPM -> new CogVideoXDpmScheduler(config);
        };
    }

    public abstract Kind kind();

    public NoiseSchedule schedule() {
        return schedule;
    }

    public SchedulerConfig config() {
        return schedule.config();
    }

    /** The initial latents are plain N(0, I); {@code scale_model_input} is the identity for both schedulers. */
    public double initNoiseSigma() {
        return 1.0;
    }

    /** diffusers' {@code set_timesteps(n)}; returns the timesteps (descending). */
    public long[] setTimesteps(int numInferenceSteps) {
        this.timesteps = schedule.timesteps(numInferenceSteps);
        this.numInferenceSteps = numInferenceSteps;
        return timesteps.clone();
    }

    public long[] timesteps() {
        requireTimesteps();
        return timesteps.clone();
    }

    public int numInferenceSteps() {
        requireTimesteps();
        return numInferenceSteps;
    }

    /**
     * The target timestep of a step from {@code t}: {@code t − num_train_timesteps // n}. With trailing spacing and an
     * {@code n} that does not divide the training steps this is not the next entry of {@link #timesteps()}; diffusers
     * behaves this way and the trained models are sampled with it.
     */
    public long prevTimestep(long timestep) {
        requireTimesteps();
        return timestep - schedule.stepSize(numInferenceSteps);
    }

    /**
     * Step {@code index} of the sampling loop over {@link #timesteps()}. {@code previousPredOriginal} is the x̂0 of the
     * previous step ({@code null} at index 0); DDIM ignores it and the noise.
     */
    public abstract SchedulerStep stepAt(int index, Tensor modelOutput, Tensor previousPredOriginal, Tensor sample, NoiseSource noise);

    protected long timestepAt(int index) {
        requireTimesteps();
        if (index < 0 || index >= timesteps.length) {
            throw new IndexOutOfBoundsException("step index " + index + " outside 0.." + (timesteps.length - 1));
        }
        return timesteps[index];
    }

    /** x̂0 from the model output according to {@code prediction_type}. */
    protected Tensor predictOriginal(Tensor modelOutput, Tensor sample, double alphaProdT) {
        double betaProdT = 1 - alphaProdT;
        return switch (schedule.config().predictionType()) {
            case SchedulerConfig.V_PREDICTION -> scaled(sample, Math.sqrt(alphaProdT)).sub(scaled(modelOutput, Math.sqrt(betaProdT)));
            case SchedulerConfig.EPSILON -> sample.sub(scaled(modelOutput, Math.sqrt(betaProdT))).div(new Scalar(Math.sqrt(alphaProdT)));
            case SchedulerConfig.SAMPLE -> modelOutput.clone();
            default -> throw new IllegalStateException("unsupported prediction_type " + schedule.config().predictionType());
        };
    }

    /** {@code coefficient · tensor}; the float64 coefficient is rounded to the tensor's dtype by libtorch. */
    protected static Tensor scaled(Tensor t, double coefficient) {
        return t.mul(new Scalar(coefficient));
    }

    protected void requireTimesteps() {
        if (timesteps == null) {
            throw new IllegalStateException("number of inference steps is not set: call setTimesteps(n) before step()");
        }
    }

    protected static void checkSameShape(Tensor modelOutput, Tensor sample) {
        Engine.ensureLoaded();
        long[] a = Tensors.shape(modelOutput);
        long[] b = Tensors.shape(sample);
        if (!Arrays.equals(a, b)) {
            throw new IllegalArgumentException("model output shape " + Arrays.toString(a) + " differs from sample shape " + Arrays.toString(b));
        }
    }
}
