package dev.cogforge.core.train;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Control of one running training run (it runs on its own background thread and reports {@link TrainingEvent}s).
 * Returned by {@code Trainer.start(RunConfig, TrainingEvent.Listener)}.
 */
public interface TrainingHandle {
    /** Asks the run to stop at the next step boundary; with {@code saveCheckpoint} it writes one first. */
    void cancel(boolean saveCheckpoint);

    boolean isRunning();

    /** Waits for the terminal event ({@code Finished}, {@code Failed} or {@code Cancelled}); null on timeout. */
    TrainingEvent awaitEnd(long timeout, TimeUnit unit) throws InterruptedException;

    /** The run folder (config.json, metrics.jsonl, checkpoints/, validation/, pytorch_lora_weights.safetensors). */
    Path outputDir();
}
