package dev.cogforge.app.studio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.settings.Presets;
import dev.cogforge.app.studio.settings.SettingsViewModel;
import dev.cogforge.core.demo.DemoModel;
import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.train.Trainer;
import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.config.RunConfig;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Train page's ViewModel (no window) runs the tiny demo model as a REAL two-process data-parallel job: two
 * worker JVMs under the launcher, Gloo over 127.0.0.1, events decoded from rank 0's output into the same handling
 * as a run inside the studio. One launch finishes; another loses rank 1 to SIGKILL.
 */
class MultiProcessTrainingTest {
    /** Two JVM starts, libtorch loads and the latent cache on two shared cores. */
    private static final int TIMEOUT_S = 240;

    @TempDir
    Path tmp;
    private final ExecutorService background = Executors.newFixedThreadPool(2);
    private final ExecutorService fx = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        background.shutdownNow();
        fx.shutdownNow();
    }

    private <T> T onFx(Callable<T> c) throws Exception {
        return fx.submit(c).get(30, TimeUnit.SECONDS);
    }

    /** The tiny demo preset with {@code steps} steps, batch 1 per rank, 2 processes on the CPU. */
    private TrainViewModel twoProcessDemo(int steps, Integer validationSteps, int checkpointingSteps) {
        SettingsViewModel s = new SettingsViewModel(Runnable::run, Runnable::run, new Presets.Locations(tmp.resolve("cache"),
                tmp.resolve("data"), tmp.resolve("runs"), DemoModel.VAE_PRETRAINING.quick(1, 1)));
        s.applyPreset(Presets.byId(Presets.TINY_DEMO));
        RunConfig c = s.config();
        c.maxTrainSteps = steps;
        c.trainBatchSize = 1;
        c.checkpointingSteps = checkpointingSteps;
        c.validationSteps = validationSteps;
        c.numInferenceSteps = 2;
        c.lrWarmupSteps = 1;
        s.setConfig(c);
        s.setAvailableDevices(List.of(ComputeDevice.CPU), ComputeDevice.CPU);
        s.processesProperty().set(2);
        assertTrue(s.validProperty().get(), () -> "demo settings invalid: " + s.problems());
        TrainViewModel vm = new TrainViewModel(new CoreTrainingService(), s, background, fx);
        vm.runsDirProperty().set(tmp.resolve("runs"));
        return vm;
    }

    private static String report(TrainViewModel vm) {
        return String.join("\n", vm.log()) + "\n--- workers:\n" + String.join("\n", vm.workerLog().stream().map(Object::toString).toList());
    }

    @Test
    void trainButtonRunsTwoWorkerProcessesAndShowsBothRanks() throws Exception {
        TrainViewModel vm = twoProcessDemo(2, 2, 1);
        long t0 = System.nanoTime();
        assertTrue(onFx(vm::start), () -> vm.statusProperty().get());
        assertTrue(onFx(() -> vm.statusProperty().get()).contains("with 2 processes"));
        WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> onFx(() -> vm.lastTerminalProperty().get()) != null);
        System.out.printf("2-process studio run (2 steps + validation): %.1f s%n", (System.nanoTime() - t0) / 1e9);
        TrainingEvent end = onFx(() -> vm.lastTerminalProperty().get());
        assertInstanceOf(TrainingEvent.Finished.class, end, () -> report(vm));
        assertFalse(onFx(() -> vm.runningProperty().get()));
        assertEquals(1.0, onFx(() -> vm.progressProperty().get()));
        assertEquals(2, vm.charts().lossRaw().getDataCount(), "one chart point per global step");
        assertTrue(onFx(() -> vm.progressTextProperty().get()).startsWith("step 2/2"), () -> vm.progressTextProperty().get());

        List<TrainViewModel.RankRow> rows = onFx(() -> List.copyOf(vm.rankRows()));
        assertEquals(2, rows.size());
        for (TrainViewModel.RankRow r : rows) {
            System.out.println(r);
            assertTrue(r.pid() > 0, r.toString());
            assertTrue(r.currentBytes() > 0 && r.peakBytes() >= r.currentBytes(), "rank " + r.rank() + " reported memory: " + r);
            assertEquals("finished", r.state());
        }
        assertTrue(onFx(() -> vm.rankMemoryProperty().get()).contains("rank 1"));
        assertEquals("", onFx(() -> vm.failureBannerProperty().get()));

        Path dir = onFx(() -> vm.runDirProperty().get());
        assertNotNull(dir);
        assertTrue(Files.isDirectory(dir.resolve(Trainer.FULL_OUTPUT_FOLDER)), "final weights in " + dir);
        assertTrue(onFx(() -> List.copyOf(vm.log())).stream().anyMatch(l -> l.startsWith("checkpoint saved at step 1")), () -> report(vm));
        Path video = onFx(() -> vm.lastValidationVideoProperty().get());
        assertNotNull(video, () -> report(vm));
        assertTrue(Files.size(video) > 0);
        assertTrue(onFx(() -> List.copyOf(vm.workerLog())).stream().noneMatch(l -> l.text().startsWith("malformed training event")), () -> report(vm));

        // the rank selector filters the worker log
        onFx(() -> {
            vm.workerLogRankProperty().set(1);
            return null;
        });
        assertTrue(onFx(() -> List.copyOf(vm.visibleWorkerLog())).stream().allMatch(l -> l.rank() == 1));
    }

    @Test
    void aKilledWorkerIsNamedWithTheLastCheckpointAndTheStudioIsIdleAgain() throws Exception {
        TrainViewModel vm = twoProcessDemo(1000, null, 1);
        long t0 = System.nanoTime();
        assertTrue(onFx(vm::start), () -> vm.statusProperty().get());
        // step 2 is reported after checkpoint-1 is complete (every rank waits for it)
        WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> vm.charts().lossRaw().getDataCount() >= 2);
        long pid = onFx(() -> vm.rankRows().get(1).pid());
        assertTrue(pid > 0);
        long killedAt = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> !onFx(() -> vm.runningProperty().get()));
        System.out.printf("rank 1 killed %.1f s after the start; the studio was idle %.1f s later%n", (killedAt - t0) / 1e9,
                (System.nanoTime() - killedAt) / 1e9);
        TrainingEvent.Failed f = assertInstanceOf(TrainingEvent.Failed.class, onFx(() -> vm.lastTerminalProperty().get()), () -> report(vm));
        System.out.println(f.message());
        assertEquals(1, onFx(() -> vm.failedRankProperty().get()));
        String banner = onFx(() -> vm.failureBannerProperty().get());
        assertTrue(banner.contains("rank 1 of 2 failed") && banner.contains("SIGKILL"), banner);
        assertTrue(banner.contains("The last checkpoint is intact") && banner.contains("checkpoint-"), banner);
        List<TrainViewModel.RankRow> rows = onFx(() -> List.copyOf(vm.rankRows()));
        assertTrue(rows.get(1).state().startsWith("failed: was killed by SIGKILL"), rows.toString());
        assertEquals("stopped (rank 1 failed)", rows.get(0).state());
        assertTrue(onFx(() -> vm.statusProperty().get()).startsWith("Training failed: rank 1 of 2 failed"));
        // idle again: a new run may start (settings still valid)
        assertFalse(onFx(() -> vm.runningProperty().get()));
    }

    @Test
    void stopMakesEveryRankStopAfterTheSameStepAndRankZeroSaveACheckpoint() throws Exception {
        // no periodic checkpoint: the only one is the one the stop asks for
        TrainViewModel vm = twoProcessDemo(1000, null, 100_000);
        assertTrue(onFx(vm::start), () -> vm.statusProperty().get());
        WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> vm.charts().lossRaw().getDataCount() >= 1);
        long stoppedAt = System.nanoTime();
        onFx(() -> {
            vm.cancel(true);
            return null;
        });
        WaitForAsyncUtils.waitFor(TIMEOUT_S, TimeUnit.SECONDS, () -> !onFx(() -> vm.runningProperty().get()));
        System.out.printf("stop -> idle in %.1f s%n", (System.nanoTime() - stoppedAt) / 1e9);
        TrainingEvent.Cancelled end = assertInstanceOf(TrainingEvent.Cancelled.class, onFx(() -> vm.lastTerminalProperty().get()), () -> report(vm));
        Path checkpoint = onFx(() -> vm.runDirProperty().get()).resolve("checkpoint-" + end.step());
        assertTrue(Files.isDirectory(checkpoint), "stop with save writes " + checkpoint + "\n" + report(vm));
        assertTrue(onFx(() -> List.copyOf(vm.log())).stream().anyMatch(l -> l.startsWith("checkpoint saved at step " + end.step())), () -> report(vm));
        assertTrue(onFx(() -> List.copyOf(vm.rankRows())).stream().allMatch(r -> r.state().equals("stopped")));
        assertEquals("", onFx(() -> vm.failureBannerProperty().get()));
    }
}
