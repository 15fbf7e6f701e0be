package dev.cogforge.core.train;

import java.nio.file.Path;

/**
 * What a training run reports to its listeners (studio, CLI, metrics file). Events are immutable and carry only
 * plain values so they can cross threads freely.
 */
public sealed interface TrainingEvent {
    /** Memory in bytes: current, peak since start, and the device capacity (0 when unknown). */
    record Memory(long currentBytes, long peakBytes, long capacityBytes) {}

    /** {@code memoryEstimate}: what the run should need, computed before it loads the model (null when not estimated). */
    record Started(long totalSteps, int epochs, long trainableParams, long resumedFromStep, MemoryEstimator.RunEstimate memoryEstimate)
            implements TrainingEvent {
        public Started(long totalSteps, int epochs, long trainableParams, long resumedFromStep) {
            this(totalSteps, epochs, trainableParams, resumedFromStep, null);
        }
    }

    /** One optimizer step (after gradient accumulation). {@code step} counts from 1. */
    record Step(long step, int epoch, double loss, double lr, double gradNorm, double stepTimeS, double itPerS,
            double etaS, Memory memory) implements TrainingEvent {}

    /**
     * Data-parallel runs only, on rank 0 right before each {@link Step} of the same number: every rank's memory ({@code perRank.get(r)} is
     * rank r), gathered with the step's all-reduce.
     */
    record RankMemory(long step, java.util.List<Memory> perRank) implements TrainingEvent {
        public RankMemory {
            perRank = java.util.List.copyOf(perRank);
        }
    }

    /**
     * After each optimizer step, on every rank, to that rank's own listener: the samples (media names) this rank
     * trained on in the step, in order. For logs and audits ("which clip made the loss jump").
     */
    record Batch(long step, int rank, java.util.List<String> samples) implements TrainingEvent {
        public Batch {
            samples = java.util.List.copyOf(samples);
        }
    }

    record ValidationVideoReady(long step, int promptIndex, String prompt, Path video) implements TrainingEvent {
        /** Rendered after training from the saved outputs (in {@code validation/final/}), not from the live model. */
        public boolean finalTest() {
            Path folder = video.getParent();
            return folder != null && folder.getFileName() != null && Trainer.FINAL_TEST_FOLDER.equals(folder.getFileName().toString());
        }
    }

    record CheckpointSaved(long step, Path folder) implements TrainingEvent {}

    record Warning(long step, String message) implements TrainingEvent {}

    /**
     * {@code memoryEstimate} is the {@link Started} estimate (null when none) and {@code measuredPeakBytes} the peak
     * memory this process measured over the run (0 when unknown), so the two can be shown side by side.
     */
    record Finished(long steps, Path outputDir, double totalTimeS, MemoryEstimator.RunEstimate memoryEstimate, long measuredPeakBytes)
            implements TrainingEvent {
        public Finished(long steps, Path outputDir, double totalTimeS) {
            this(steps, outputDir, totalTimeS, null, 0);
        }
    }

    record Failed(long step, String message, Throwable cause) implements TrainingEvent {}

    record Cancelled(long step) implements TrainingEvent {}

    /** A listener; implementations must not block the training thread for long. */
    @FunctionalInterface
    interface Listener {
        void on(TrainingEvent event);
    }
}
