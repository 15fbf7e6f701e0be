package dev.cogforge.app.studio.train;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.TrainingHandle;
import dev.cogforge.core.train.config.RunConfig;

/**
 * Calls {@code dev.cogforge.core.train.Trainer.start(RunConfig, TrainingEvent.Listener)}. The trainer is written in
 * parallel with the studio, so it is looked up reflectively: the studio builds without it and says clearly when a
 * build lacks it. Once both are merged this can become a direct call.
 */
public final class CoreTrainingService implements TrainingService {
    static final String TRAINER_CLASS = "dev.cogforge.core.train.Trainer";

    @Override
    public TrainingHandle start(RunConfig config, TrainingEvent.Listener listener) throws Exception {
        Method start;
        try {
            start = Class.forName(TRAINER_CLASS).getMethod("start", RunConfig.class, TrainingEvent.Listener.class);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this build has no trainer (" + TRAINER_CLASS + " is missing)");
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(TRAINER_CLASS + " has no start(RunConfig, TrainingEvent.Listener)");
        }
        try {
            return (TrainingHandle) start.invoke(null, config, listener);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }
}
