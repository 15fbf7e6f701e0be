package dev.cogforge.core.train;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.cogforge.core.io.AtomicFiles;
import dev.cogforge.core.io.ConfigJson;

/**
 * {@code summary.json} in the run folder, written once when a run finishes: steps, time, and the memory estimate made
 * before the start next to the peak measured during the run (bytes), so that the estimator can be checked against
 * real runs. Written atomically: a reader sees the whole file or none.
 */
public final class RunSummary {
    public static final String FILE_NAME = "summary.json";

    private RunSummary() {}

    public static Path write(Path runDir, TrainingEvent.Finished finished) throws IOException {
        ObjectNode root = ConfigJson.MAPPER.createObjectNode();
        root.put("steps", finished.steps());
        root.put("total_time_s", finished.totalTimeS());
        ObjectNode memory = root.putObject("memory");
        memory.put("measured_peak_bytes", finished.measuredPeakBytes());
        MemoryEstimator.RunEstimate estimate = finished.memoryEstimate();
        if (estimate != null) {
            MemoryEstimator.Estimate e = estimate.largestBucket();
            memory.put("estimated_peak_bytes", estimate.peakBytes());
            memory.put("estimate_includes_validation", estimate.withValidation());
            ObjectNode parts = memory.putObject("estimate");
            parts.put("transformer_weights_bytes", e.transformerWeights());
            parts.put("trainable_params", e.trainableParams());
            parts.put("trainable_bytes", e.trainableBytes());
            parts.put("gradients_bytes", e.gradients());
            parts.put("optimizer_states_bytes", e.optimizerStates());
            parts.put("activations_bytes", e.activations());
            parts.put("text_encoder_bytes", e.textEncoder());
            parts.put("vae_bytes", e.vae());
            parts.put("validation_workspace_bytes", e.validationWorkspace());
            parts.put("load_peak_bytes", e.loadPeak());
            parts.put("training_peak_bytes", e.trainingPeak());
            parts.put("peak_with_validation_bytes", e.peakWithValidation());
            ArrayNode buckets = memory.putArray("activations_by_bucket");
            for (MemoryEstimator.BucketActivations b : estimate.buckets()) {
                buckets.addObject().put("frames", b.frames()).put("height", b.height()).put("width", b.width())
                        .put("with_checkpointing_bytes", b.withCheckpointing())
                        .put("without_checkpointing_bytes", b.withoutCheckpointing());
            }
        }
        Path file = runDir.resolve(FILE_NAME);
        AtomicFiles.writeString(file, ConfigJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        return file;
    }
}
