package dev.cogforge.app.studio.train;

import dev.cogforge.core.train.Trainer;
import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.TrainingHandle;
import dev.cogforge.core.train.config.RunConfig;

/** Starts real training runs through the core trainer (on its own background thread). */
public final class CoreTrainingService implements TrainingService {
    @Override
    public TrainingHandle start(RunConfig config, TrainingEvent.Listener listener) throws Exception {
        return Trainer.start(config, listener);
    }
}
