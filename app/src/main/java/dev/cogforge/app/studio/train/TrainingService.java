package dev.cogforge.app.studio.train;

import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.TrainingHandle;
import dev.cogforge.core.train.config.RunConfig;

/** Starts a training run on its own thread; the studio's seam to {@code dev.cogforge.core.train.Trainer}. */
@FunctionalInterface
public interface TrainingService {
    TrainingHandle start(RunConfig config, TrainingEvent.Listener listener) throws Exception;
}
