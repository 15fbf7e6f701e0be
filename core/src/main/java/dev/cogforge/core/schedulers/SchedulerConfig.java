package dev.cogforge.core.schedulers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.cogforge.core.io.ConfigJson;

/**
 * {@code scheduler/scheduler_config.json} as read by diffusers' {@code CogVideoXDDIMScheduler} and
 * {@code CogVideoXDPMScheduler} (both take the same keys). A key missing from the file takes the constructor default
 * of those classes, which is not always the CogVideoX value (e.g. {@code prediction_type} defaults to epsilon), exactly
 * as diffusers would load an incomplete file.
 *
 * <p>{@code clip_sample}, {@code clip_sample_range} and {@code sample_max_value} are kept for round trips but have no
 * effect: neither CogVideoX scheduler clips in {@code step()}.
 */
public record SchedulerConfig(
        @JsonProperty("num_train_timesteps") int numTrainTimesteps,
        @JsonProperty("beta_start") double betaStart,
        @JsonProperty("beta_end") double betaEnd,
        @JsonProperty("beta_schedule") String betaSchedule,
        @JsonProperty("trained_betas") List<Double> trainedBetas,
        @JsonProperty("prediction_type") String predictionType,
        @JsonProperty("rescale_betas_zero_snr") boolean rescaleBetasZeroSnr,
        @JsonProperty("set_alpha_to_one") boolean setAlphaToOne,
        @JsonProperty("clip_sample") boolean clipSample,
        @JsonProperty("clip_sample_range") double clipSampleRange,
        @JsonProperty("sample_max_value") double sampleMaxValue,
        @JsonProperty("steps_offset") int stepsOffset,
        @JsonProperty("timestep_spacing") String timestepSpacing,
        @JsonProperty("snr_shift_scale") double snrShiftScale) {

    public static final String SCALED_LINEAR = "scaled_linear";
    public static final String LINEAR = "linear";
    public static final String V_PREDICTION = "v_prediction";
    public static final String EPSILON = "epsilon";
    public static final String SAMPLE = "sample";
    public static final String TRAILING = "trailing";
    public static final String LEADING = "leading";
    public static final String LINSPACE = "linspace";

    private static final List<String> SCHEDULES = List.of(SCALED_LINEAR, LINEAR);
    private static final List<String> PREDICTIONS = List.of(V_PREDICTION, EPSILON, SAMPLE);
    private static final List<String> SPACINGS = List.of(TRAILING, LEADING, LINSPACE);

    public SchedulerConfig {
        trainedBetas = trainedBetas == null ? null : List.copyOf(trainedBetas);
        if (numTrainTimesteps < 1) {
            throw new IllegalArgumentException("num_train_timesteps must be >= 1, got " + numTrainTimesteps);
        }
        if (trainedBetas == null && !SCHEDULES.contains(betaSchedule)) {
            throw new IllegalArgumentException("beta_schedule '" + betaSchedule + "' is not supported; expected one of "
                    + SCHEDULES + " (CogVideoX ships scaled_linear)");
        }
        if (trainedBetas != null && trainedBetas.size() != numTrainTimesteps) {
            throw new IllegalArgumentException("trained_betas has " + trainedBetas.size() + " values but num_train_timesteps is "
                    + numTrainTimesteps);
        }
        if (!PREDICTIONS.contains(predictionType)) {
            throw new IllegalArgumentException("prediction_type '" + predictionType + "' is not supported; expected one of " + PREDICTIONS);
        }
        if (!SPACINGS.contains(timestepSpacing)) {
            throw new IllegalArgumentException("timestep_spacing '" + timestepSpacing + "' is not supported; expected one of " + SPACINGS);
        }
        if (!(snrShiftScale > 0) || Double.isInfinite(snrShiftScale)) {
            throw new IllegalArgumentException("snr_shift_scale must be a positive number, got " + snrShiftScale);
        }
    }

    /** Jackson entry point: absent keys take the diffusers constructor defaults. */
    @JsonCreator
    static SchedulerConfig fromJson(
            @JsonProperty("num_train_timesteps") Integer numTrainTimesteps,
            @JsonProperty("beta_start") Double betaStart,
            @JsonProperty("beta_end") Double betaEnd,
            @JsonProperty("beta_schedule") String betaSchedule,
            @JsonProperty("trained_betas") List<Double> trainedBetas,
            @JsonProperty("prediction_type") String predictionType,
            @JsonProperty("rescale_betas_zero_snr") Boolean rescaleBetasZeroSnr,
            @JsonProperty("set_alpha_to_one") Boolean setAlphaToOne,
            @JsonProperty("clip_sample") Boolean clipSample,
            @JsonProperty("clip_sample_range") Double clipSampleRange,
            @JsonProperty("sample_max_value") Double sampleMaxValue,
            @JsonProperty("steps_offset") Integer stepsOffset,
            @JsonProperty("timestep_spacing") String timestepSpacing,
            @JsonProperty("snr_shift_scale") Double snrShiftScale) {
        return new SchedulerConfig(
                or(numTrainTimesteps, 1000), or(betaStart, 0.00085), or(betaEnd, 0.012), or(betaSchedule, SCALED_LINEAR),
                trainedBetas, or(predictionType, EPSILON), or(rescaleBetasZeroSnr, false), or(setAlphaToOne, true),
                or(clipSample, true), or(clipSampleRange, 1.0), or(sampleMaxValue, 1.0), or(stepsOffset, 0),
                or(timestepSpacing, LEADING), or(snrShiftScale, 3.0));
    }

    /** Reads {@code scheduler_config.json}; errors name the file and the offending key. */
    public static SchedulerConfig read(Path file) throws IOException {
        try {
            return ConfigJson.read(file, SchedulerConfig.class);
        } catch (IOException e) {
            throw unwrapInvalid(file.toString(), e);
        }
    }

    public static SchedulerConfig parse(String json, String sourceName) throws IOException {
        try {
            return ConfigJson.read(json, SchedulerConfig.class, sourceName);
        } catch (IOException e) {
            throw unwrapInvalid(sourceName, e);
        }
    }

    /**
     * The configuration shipped with the CogVideoX checkpoints ({@code snr_shift_scale} 3.0 for 2B, 1.0 for 5B and 1.5).
     */
    public static SchedulerConfig cogVideoX(double snrShiftScale) {
        return new SchedulerConfig(1000, 0.00085, 0.012, SCALED_LINEAR, null, V_PREDICTION, true, true, false, 1.0, 1.0, 0,
                TRAILING, snrShiftScale);
    }

    public SchedulerConfig withTimestepSpacing(String spacing) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas, predictionType,
                rescaleBetasZeroSnr, setAlphaToOne, clipSample, clipSampleRange, sampleMaxValue, stepsOffset, spacing, snrShiftScale);
    }

    public SchedulerConfig withPredictionType(String prediction) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas, prediction,
                rescaleBetasZeroSnr, setAlphaToOne, clipSample, clipSampleRange, sampleMaxValue, stepsOffset, timestepSpacing, snrShiftScale);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "SchedulerConfig[%s %g..%g over %d, %s, zero_snr=%b, snr_shift=%g, %s spacing]",
                trainedBetas != null ? "trained_betas" : betaSchedule, betaStart, betaEnd, numTrainTimesteps, predictionType,
                rescaleBetasZeroSnr, snrShiftScale, timestepSpacing);
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    /** Jackson wraps the record's validation errors; surface them with the file name and the plain message. */
    private static IOException unwrapInvalid(String source, IOException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IllegalArgumentException iae) return new IOException(source + ": " + iae.getMessage(), e);
        }
        return e;
    }
}
