package dev.cogforge.app.studio.train;

import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.engine.Devices;
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

    /**
     * The trainer takes its device from {@link Devices#PROPERTY}; the studio runs one training at a time, and the
     * Samples page following the same choice is what a user expects.
     */
    @Override
    public TrainingHandle start(RunConfig config, ComputeDevice device, TrainingEvent.Listener listener) throws Exception {
        if (device != null) {
            Devices.requireAvailable(device, "the Settings page");
            System.setProperty(Devices.PROPERTY, device.toString());
        }
        return Trainer.start(config, listener);
    }
}
