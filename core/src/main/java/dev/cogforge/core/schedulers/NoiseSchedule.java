package dev.cogforge.core.schedulers;

import java.util.Arrays;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;

/**
 * The training noise schedule shared by both CogVideoX schedulers: betas, ᾱ (alphas_cumprod) with the SD3-style SNR
 * shift and the zero-terminal-SNR rescale, the inference timesteps and the forward-process helpers
 * {@code add_noise} / {@code get_velocity}.
 *
 * <p>Precision follows diffusers: {@code scaled_linear} tables are float64; {@code linear} and {@code trained_betas}
 * tables are float32 in diffusers, so their arithmetic is done in float here (values are stored widened to double).
 * {@link #addNoise} and {@link #getVelocity} use the table cast to float32 first, as diffusers casts it to the sample
 * dtype.
 */
public final class NoiseSchedule {
    private final SchedulerConfig config;
    private final double[] betas;
    private final double[] alphasCumprod;
    private final float[] alphasCumprodFloat;
    private final double finalAlphaCumprod;
    private final boolean float32Tables;

    public NoiseSchedule(SchedulerConfig config) {
        this.config = config;
        int n = config.numTrainTimesteps();
        float32Tables = config.trainedBetas() != null || !SchedulerConfig.SCALED_LINEAR.equals(config.betaSchedule());
        if (!float32Tables) {
            betas = scaledLinearBetas(config.betaStart(), config.betaEnd(), n);
            alphasCumprod = float64AlphasCumprod(betas, config.snrShiftScale(), config.rescaleBetasZeroSnr());
        } else {
            float[] b32 = config.trainedBetas() != null ? trainedBetas(config) : linspace32((float) config.betaStart(), (float) config.betaEnd(), n);
            betas = widen(b32);
            alphasCumprod = widen(float32AlphasCumprod(b32, config.snrShiftScale(), config.rescaleBetasZeroSnr()));
        }
        alphasCumprodFloat = new float[n];
        for (int i = 0; i < n; i++) alphasCumprodFloat[i] = (float) alphasCumprod[i];
        // diffusers' torch.tensor(1.0) is float32, which represents 1 exactly; alphas_cumprod[0] is taken as stored.
        finalAlphaCumprod = config.setAlphaToOne() ? 1.0 : alphasCumprod[0];
    }

    public SchedulerConfig config() {
        return config;
    }

    public int numTrainTimesteps() {
        return config.numTrainTimesteps();
    }

    /** The raw betas of the beta schedule (the rescaled ᾱ is not turned back into betas, as in diffusers). */
    public double[] betas() {
        return betas.clone();
    }

    /** {@code 1 - betas}. */
    public double[] alphas() {
        double[] a = new double[betas.length];
        for (int i = 0; i < a.length; i++) a[i] = float32Tables ? (double) (1.0f - (float) betas[i]) : 1.0 - betas[i];
        return a;
    }

    public double[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** ᾱ cast to float32, the table {@code add_noise}, {@code get_velocity} and the training loss weight use. */
    public float[] alphasCumprodFloat() {
        return alphasCumprodFloat.clone();
    }

    /** Whether diffusers keeps this schedule's tables in float32 (linear, trained_betas) rather than float64. */
    public boolean float32Tables() {
        return float32Tables;
    }

    public double finalAlphaCumprod() {
        return finalAlphaCumprod;
    }

    /** ᾱ_t for {@code 0 <= t < num_train_timesteps}. */
    public double alphaCumprod(long t) {
        checkTimestep(t, "timestep");
        return alphasCumprod[(int) t];
    }

    /** ᾱ of the step target: the table value, or {@link #finalAlphaCumprod()} when {@code t < 0} (past the last step). */
    public double alphaCumprodOrFinal(long t) {
        return t < 0 ? finalAlphaCumprod : alphaCumprod(t);
    }

    public float alphaCumprodFloat(long t) {
        checkTimestep(t, "timestep");
        return alphasCumprodFloat[(int) t];
    }

    /**
     * diffusers' {@code set_timesteps(n)}: the descending int64 timesteps for {@code n} inference steps with the
     * configured spacing.
     */
    public long[] timesteps(int numInferenceSteps) {
        int train = config.numTrainTimesteps();
        if (numInferenceSteps < 1) throw new IllegalArgumentException("num_inference_steps must be >= 1, got " + numInferenceSteps);
        if (numInferenceSteps > train) {
            throw new IllegalArgumentException("num_inference_steps " + numInferenceSteps + " cannot be larger than num_train_timesteps " + train);
        }
        return switch (config.timestepSpacing()) {
            case SchedulerConfig.LINSPACE -> linspaceTimesteps(train, numInferenceSteps);
            case SchedulerConfig.LEADING -> leadingTimesteps(train, numInferenceSteps, config.stepsOffset());
            case SchedulerConfig.TRAILING -> trailingTimesteps(train, numInferenceSteps);
            default -> throw new IllegalStateException("unsupported timestep_spacing " + config.timestepSpacing());
        };
    }

    /**
     * The step size both schedulers use for {@code prev_timestep}: the integer {@code num_train_timesteps // n}, even
     * with trailing spacing where the real gaps differ when {@code n} does not divide the training steps.
     */
    public long stepSize(int numInferenceSteps) {
        return config.numTrainTimesteps() / numInferenceSteps;
    }

    /** {@code sqrt(ᾱ_t)·x0 + sqrt(1−ᾱ_t)·noise} with ᾱ_t per batch element (first dimension), in the sample's dtype. */
    public Tensor addNoise(Tensor originalSamples, Tensor noise, Tensor timesteps) {
        Tensor[] c = coefficients(originalSamples, timesteps);
        return c[0].mul(originalSamples).add(c[1].mul(noise));
    }

    /** {@code sqrt(ᾱ_t)·noise − sqrt(1−ᾱ_t)·sample}; with {@code (model_output, noisy, t)} it yields the predicted x0. */
    public Tensor getVelocity(Tensor sample, Tensor noise, Tensor timesteps) {
        Tensor[] c = coefficients(sample, timesteps);
        return c[0].mul(noise).sub(c[1].mul(sample));
    }

    public Tensor addNoise(Tensor originalSamples, Tensor noise, long... timesteps) {
        try (Tensor t = Tensors.fromLongs(timesteps, timesteps.length)) {
            return addNoise(originalSamples, noise, t);
        }
    }

    public Tensor getVelocity(Tensor sample, Tensor noise, long... timesteps) {
        try (Tensor t = Tensors.fromLongs(timesteps, timesteps.length)) {
            return getVelocity(sample, noise, t);
        }
    }

    /**
     * {@code sqrt(ᾱ_t)} and {@code sqrt(1 − ᾱ_t)} from the float32 table, shaped {@code [B, 1, ...]} to broadcast
     * over {@code like}. Formed in float like diffusers ({@code table.to(float32)[t] ** 0.5}); for a float64 sample the
     * float32 values are widened, which is also what diffusers does for a float32 table.
     */
    private Tensor[] coefficients(Tensor like, Tensor timesteps) {
        Engine.ensureLoaded();
        long[] ts = readTimesteps(timesteps);
        long[] shape = Tensors.shape(like);
        if (shape.length == 0) throw new IllegalArgumentException("sample must have a batch dimension, got a 0-d tensor");
        if (ts.length != shape[0] && ts.length != 1) {
            throw new IllegalArgumentException(ts.length + " timesteps for a batch of " + shape[0]
                    + " (shape " + Arrays.toString(shape) + "); expected one per batch element");
        }
        float[] sqrtA = new float[ts.length];
        float[] sqrtOneMinus = new float[ts.length];
        for (int i = 0; i < ts.length; i++) {
            float a = alphaCumprodFloat(ts[i]);
            sqrtA[i] = (float) Math.sqrt(a);
            sqrtOneMinus[i] = (float) Math.sqrt(1.0f - a);
        }
        long[] coeffShape = new long[shape.length];
        Arrays.fill(coeffShape, 1);
        coeffShape[0] = ts.length;
        ScalarType dtype = like.scalar_type();
        Tensor a = Tensors.fromFloats(sqrtA, coeffShape);
        Tensor b = Tensors.fromFloats(sqrtOneMinus, coeffShape);
        if (dtype.value != ScalarType.Float.value) {
            a = a.to(dtype);
            b = b.to(dtype);
        }
        return new Tensor[] {a, b};
    }

    private static long[] readTimesteps(Tensor timesteps) {
        if (timesteps.dim() > 1) throw new IllegalArgumentException("timesteps must be 0-d or 1-d, got shape " + Arrays.toString(Tensors.shape(timesteps)));
        ScalarType t = timesteps.scalar_type();
        // enums returned by JavaCPP are fresh instances: compare their values, never identities
        int v = t.value;
        if (v != ScalarType.Long.value && v != ScalarType.Int.value && v != ScalarType.Short.value && v != ScalarType.Byte.value
                && v != ScalarType.Char.value) {
            throw new IllegalArgumentException("timesteps must be an integer tensor, got " + t);
        }
        double[] d = Tensors.toDoubles(timesteps.reshape(-1));
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (long) d[i];
        return out;
    }

    void checkTimestep(long t, String what) {
        if (t < 0 || t >= config.numTrainTimesteps()) {
            throw new IllegalArgumentException(what + " " + t + " is outside 0.." + (config.numTrainTimesteps() - 1));
        }
    }

    // ---- beta schedules -------------------------------------------------------------------------------------------

    /** {@code linspace(sqrt(start), sqrt(end), n, float64) ** 2}. */
    static double[] scaledLinearBetas(double start, double end, int n) {
        double[] r = linspace64(Math.sqrt(start), Math.sqrt(end), n);
        for (int i = 0; i < n; i++) r[i] = r[i] * r[i];
        return r;
    }

    /**
     * torch.linspace as its CPU kernel computes it: the first half counts up from {@code start}, the second half down
     * from {@code end}, so both ends are exact.
     */
    static double[] linspace64(double start, double end, int n) {
        double[] r = new double[n];
        if (n == 1) {
            r[0] = start;
            return r;
        }
        double step = (end - start) / (n - 1);
        int half = n / 2;
        for (int i = 0; i < n; i++) r[i] = i < half ? start + step * i : end - step * (n - i - 1);
        return r;
    }

    static float[] linspace32(float start, float end, int n) {
        float[] r = new float[n];
        if (n == 1) {
            r[0] = start;
            return r;
        }
        float step = (end - start) / (n - 1);
        int half = n / 2;
        for (int i = 0; i < n; i++) r[i] = i < half ? start + step * i : end - step * (n - i - 1);
        return r;
    }

    private static float[] trainedBetas(SchedulerConfig config) {
        float[] b = new float[config.trainedBetas().size()];
        for (int i = 0; i < b.length; i++) {
            Double v = config.trainedBetas().get(i);
            if (v == null) throw new IllegalArgumentException("trained_betas[" + i + "] is null");
            b[i] = v.floatValue();
        }
        return b;
    }

    /** cumprod, SNR shift, then the optional zero-terminal-SNR rescale, all in float64. */
    static double[] float64AlphasCumprod(double[] betas, double snrShift, boolean zeroTerminalSnr) {
        int n = betas.length;
        double[] acp = new double[n];
        double running = 1.0;
        for (int i = 0; i < n; i++) {
            running *= 1.0 - betas[i];
            acp[i] = running;
        }
        // SNR' = SNR / s, i.e. ᾱ / (s + (1 − s)·ᾱ); applied before the rescale, as in diffusers.
        double oneMinusShift = 1 - snrShift;
        for (int i = 0; i < n; i++) acp[i] = acp[i] / (snrShift + oneMinusShift * acp[i]);
        if (zeroTerminalSnr) {
            double[] r = new double[n];
            for (int i = 0; i < n; i++) r[i] = Math.sqrt(acp[i]);
            double r0 = r[0];
            double rT = r[n - 1];
            double scale = r0 / (r0 - rT);
            for (int i = 0; i < n; i++) {
                double v = (r[i] - rT) * scale;
                acp[i] = v * v;
            }
        }
        return acp;
    }

    /**
     * The float32 variant for {@code linear} / {@code trained_betas}. torch's CPU cumprod accumulates float in double
     * and rounds each output; scalar operands are rounded to float before the float operation.
     */
    static float[] float32AlphasCumprod(float[] betas, double snrShift, boolean zeroTerminalSnr) {
        int n = betas.length;
        float[] acp = new float[n];
        double running = 1.0;
        for (int i = 0; i < n; i++) {
            running *= 1.0f - betas[i];
            acp[i] = (float) running;
        }
        float shift = (float) snrShift;
        float oneMinusShift = (float) (1 - snrShift);
        for (int i = 0; i < n; i++) acp[i] = acp[i] / (shift + oneMinusShift * acp[i]);
        if (zeroTerminalSnr) {
            float[] r = new float[n];
            for (int i = 0; i < n; i++) r[i] = (float) Math.sqrt(acp[i]);
            float r0 = r[0];
            float rT = r[n - 1];
            float scale = r0 / (r0 - rT);
            for (int i = 0; i < n; i++) {
                float v = (r[i] - rT) * scale;
                acp[i] = v * v;
            }
        }
        return acp;
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    // ---- timestep spacings (numpy semantics) ---------------------------------------------------------------------

    /** {@code round(arange(T, 0, −T/n)) − 1}, reproducing numpy's float arange (length and fill) and half-to-even round. */
    static long[] trailingTimesteps(int train, int n) {
        double stepRatio = (double) train / n;
        double start = train;
        double step = -stepRatio;
        long length = (long) Math.ceil((0.0 - start) / step);
        long[] out = new long[(int) Math.max(length, 0)];
        // numpy fills a float arange as first + i·(second − first)
        double delta = (start + step) - start;
        for (int i = 0; i < out.length; i++) {
            double value = i == 1 ? start + step : start + i * delta;
            out[i] = (long) Math.rint(value) - 1;
        }
        return out;
    }

    /** {@code (arange(n) · (T // n)).round()[::-1] + steps_offset}. */
    static long[] leadingTimesteps(int train, int n, int stepsOffset) {
        long ratio = train / n;
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = (long) (n - 1 - i) * ratio + stepsOffset;
        return out;
    }

    /** {@code linspace(0, T − 1, n).round()[::-1]} with numpy's linspace (i·step, last value exactly the end). */
    static long[] linspaceTimesteps(int train, int n) {
        double stop = train - 1;
        double[] y = new double[n];
        if (n > 1) {
            double step = stop / (n - 1);
            for (int i = 0; i < n; i++) y[i] = i * step;
            y[n - 1] = stop;
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = (long) Math.rint(y[n - 1 - i]);
        return out;
    }
}
