package dev.cogforge.core.train;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The scalar part of a checkpoint ({@code training_state.json}): where the run stands and what is needed to continue
 * it bit-for-bit — global optimizer step, epoch, data-loader position within the epoch, the run seed, the lr
 * scheduler's step, and named RNG states (opaque strings, e.g. base64 generator states).
 */
public record TrainingState(
        @JsonProperty("version") int version,
        @JsonProperty("global_step") long globalStep,
        @JsonProperty("epoch") int epoch,
        @JsonProperty("batch_in_epoch") long batchInEpoch,
        @JsonProperty("seed") long seed,
        @JsonProperty("lr_scheduler_step") long lrSchedulerStep,
        @JsonProperty("optimizer_type") String optimizerType,
        @JsonProperty("rng_states") Map<String, String> rngStates) {

    public static final int CURRENT_VERSION = 1;

    public TrainingState {
        rngStates = rngStates == null ? Map.of() : Map.copyOf(rngStates);
    }

    public TrainingState(long globalStep, int epoch, long batchInEpoch, long seed, long lrSchedulerStep, String optimizerType, Map<String, String> rngStates) {
        this(CURRENT_VERSION, globalStep, epoch, batchInEpoch, seed, lrSchedulerStep, optimizerType, rngStates);
    }
}
