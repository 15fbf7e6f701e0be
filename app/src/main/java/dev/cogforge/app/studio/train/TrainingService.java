package dev.cogforge.app.studio.train;

import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.TrainingHandle;
import dev.cogforge.core.train.config.RunConfig;

/** Starts a training run on its own thread; the studio's seam to {@code dev.cogforge.core.train.Trainer}. */
@FunctionalInterface
public interface TrainingService {
    TrainingHandle start(RunConfig config, TrainingEvent.Listener listener) throws Exception;

    /** A run on {@code device} (the Settings page's choice); services that cannot choose ignore it. */
    default TrainingHandle start(RunConfig config, ComputeDevice device, TrainingEvent.Listener listener) throws Exception {
        return start(config, listener);
    }
}
