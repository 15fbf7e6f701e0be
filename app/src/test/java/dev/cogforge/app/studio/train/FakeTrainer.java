package dev.cogforge.app.studio.train;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.TrainingHandle;
import dev.cogforge.core.train.config.RunConfig;

/** Test double for the trainer: records the config and cancel requests; the test feeds the events. */
public final class FakeTrainer implements TrainingService {
    public final List<RunConfig> started = new CopyOnWriteArrayList<>();
    public final List<Boolean> cancels = new CopyOnWriteArrayList<>();
    public volatile TrainingEvent.Listener listener;
    public final CountDownLatch startedLatch = new CountDownLatch(1);
    private final Path outputDir;

    public FakeTrainer(Path outputDir) {
        this.outputDir = outputDir;
    }

    @Override
    public TrainingHandle start(RunConfig config, TrainingEvent.Listener l) {
        started.add(config);
        listener = l;
        startedLatch.countDown();
        return new TrainingHandle() {
            @Override
            public void cancel(boolean saveCheckpoint) {
                cancels.add(saveCheckpoint);
            }

            @Override
            public boolean isRunning() {
                return true;
            }

            @Override
            public TrainingEvent awaitEnd(long timeout, TimeUnit unit) {
                return null;
            }

            @Override
            public Path outputDir() {
                return outputDir;
            }
        };
    }

    public void awaitStart() throws InterruptedException {
        if (!startedLatch.await(10, TimeUnit.SECONDS)) throw new AssertionError("training was not started");
    }

    public static TrainingEvent.Step step(long i, long total) {
        return new TrainingEvent.Step(i, 0, 1.0 / i, 1e-4 * Math.min(1, i / 10.0), 0.5, 0.01, 100, (total - i) / 100.0,
                new TrainingEvent.Memory(1L << 30, 3L << 29, 8L << 30));
    }
}
