package dev.cogforge.app.studio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.export.RunFolders;
import dev.cogforge.app.studio.settings.Presets;
import dev.cogforge.app.studio.settings.SettingsViewModel;
import dev.cogforge.core.train.TrainingEvent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.util.WaitForAsyncUtils;

class TrainViewModelTest {
    @TempDir
    Path tmp;
    private final ExecutorService background = Executors.newFixedThreadPool(2);
    private final ExecutorService fx = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        background.shutdownNow();
        fx.shutdownNow();
    }

    @Test
    void adapterCoalescesAnyNumberOfStepsIntoOneUpdateAndOneChartAppend() {
        TrainCharts charts = new TrainCharts();
        List<TrainingEventAdapter.Update> updates = new ArrayList<>();
        TrainingEventAdapter adapter = new TrainingEventAdapter(charts, Runnable::run, updates::add);
        assertFalse(adapter.flush(), "nothing to send");
        adapter.on(new TrainingEvent.Started(500, 1, 1000, 0));
        for (int i = 1; i <= 500; i++) adapter.on(FakeTrainer.step(i, 500));
        adapter.on(new TrainingEvent.CheckpointSaved(500, tmp.resolve("checkpoint-500")));
        assertTrue(adapter.flush());
        assertEquals(1, updates.size());
        TrainingEventAdapter.Update u = updates.getFirst();
        assertEquals(500, u.latestStep().step());
        assertEquals(500, u.started().totalSteps());
        assertEquals(1, u.notable().size());
        assertEquals(500, charts.lossRaw().getDataCount());
        assertEquals(500, charts.lossSmoothed().getDataCount());
        assertEquals(500, charts.memoryPeak().getDataCount());
        assertEquals(1.0, charts.lossRaw().get(1, 0), 1e-12);
        assertEquals(1.0, charts.lossSmoothed().get(1, 0), 1e-12, "debiased EMA starts at the first loss");
        assertEquals(1.5, charts.memoryPeak().get(1, 0), 1e-12);
        assertFalse(adapter.ended());
        adapter.on(new TrainingEvent.Finished(500, tmp, 12));
        assertTrue(adapter.flush());
        assertTrue(adapter.ended());
        assertFalse(adapter.flush());
    }

    private SettingsViewModel validSettings() throws Exception {
        SettingsViewModel s = new SettingsViewModel(Runnable::run, Runnable::run, new Presets.Locations(tmp, tmp, tmp));
        s.applyPreset(Presets.byId("lora-2b"));
        s.field("data_root").textProperty().set(tmp.toString());
        return s;
    }

    @Test
    void invalidSettingsBlockTheStartWithAMessage() throws Exception {
        FakeTrainer trainer = new FakeTrainer(tmp);
        SettingsViewModel settings = new SettingsViewModel(Runnable::run, Runnable::run, new Presets.Locations(tmp, tmp, tmp));
        TrainViewModel vm = new TrainViewModel(trainer, settings, background, fx);
        assertFalse(call(vm::start));
        assertTrue(call(() -> vm.statusProperty().get()).contains("Fix them on the Settings page"));
        assertTrue(trainer.started.isEmpty());
    }

    @Test
    void liveRunFillsChartsProgressAndLogThenCancels() throws Exception {
        Path out = tmp.resolve("runs/run-1");
        FakeTrainer trainer = new FakeTrainer(out);
        TrainViewModel vm = new TrainViewModel(trainer, validSettings(), background, fx);
        assertTrue(call(vm::start));
        trainer.awaitStart();
        assertEquals("THUDM/CogVideoX-2b", trainer.started.getFirst().pretrainedModelNameOrPath);
        Thread feeder = Thread.ofPlatform().start(() -> {
            trainer.listener.on(new TrainingEvent.Started(1000, 1, 123456, 0));
            for (int i = 1; i <= 1000; i++) trainer.listener.on(FakeTrainer.step(i, 1000));
            trainer.listener.on(new TrainingEvent.ValidationVideoReady(1000, 0, "a cat", out.resolve("validation/step-1000/v.mp4")));
            trainer.listener.on(new TrainingEvent.Warning(1000, "loss is noisy"));
        });
        feeder.join();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> call(() -> vm.progressTextProperty().get()).startsWith("step 1000/1000"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> call(() -> vm.log().size()) >= 3);
        assertEquals(1000, vm.charts().lossRaw().getDataCount());
        assertEquals(1.0, call(() -> vm.progressProperty().get()), 1e-9);
        assertEquals(out, call(() -> vm.runDirProperty().get()));
        assertEquals(out.resolve("validation/step-1000/v.mp4"), call(() -> vm.lastValidationVideoProperty().get()));
        assertEquals(2, vm.charts().capacity().getDataCount(), "capacity line from the Settings page's GPU size");
        assertEquals(24.0, vm.charts().capacity().get(1, 0), 1e-9);
        assertTrue(vm.charts().estimate().get(1, 0) > 0, "estimate line");
        List<String> log = call(() -> List.copyOf(vm.log()));
        assertTrue(log.getFirst().startsWith("started: 1000 steps"), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("validation video (step 1000")), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.contains("loss is noisy")), log.toString());
        assertTrue(call(() -> vm.runningProperty().get()));

        call(() -> {
            vm.cancel(true);
            return null;
        });
        assertEquals(List.of(true), trainer.cancels);
        trainer.listener.on(new TrainingEvent.Cancelled(1000));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !call(() -> vm.runningProperty().get()));
        assertEquals("cancelled at step 1000", call(() -> vm.statusProperty().get()));
    }

    @Test
    void pastRunsShowTheirMetricsAndResumeFromTheLastCheckpoint() throws Exception {
        Path runs = tmp.resolve("runs");
        Path run = RunFolders.create(runs.resolve("old-run"));
        Files.createDirectories(run.resolve("checkpoint-2"));
        Files.writeString(run.resolve("checkpoint-2/training_state.json"), "{}");
        FakeTrainer trainer = new FakeTrainer(run);
        TrainViewModel vm = new TrainViewModel(trainer, validSettings(), background, fx);
        call(() -> {
            vm.runsDirProperty().set(runs);
            vm.refreshRuns();
            return null;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> call(() -> vm.runs().size()) == 1);
        RunSummary summary = call(() -> vm.runs().getFirst());
        assertEquals(2L, summary.lastStep());
        assertTrue(summary.resumable());
        call(() -> {
            vm.show(summary);
            return null;
        });
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> vm.charts().lossRaw().getDataCount() == 2);
        assertEquals(0.4, vm.charts().lossRaw().get(1, 1), 1e-12);
        assertEquals(2.0, vm.charts().memoryPeak().get(1, 0), 1e-12);

        assertTrue(call(() -> vm.resume(summary)));
        trainer.awaitStart();
        assertEquals("latest", trainer.started.getFirst().resumeFromCheckpoint);
        assertEquals(run.toString(), trainer.started.getFirst().outputDir);
        trainer.listener.on(new TrainingEvent.Finished(4, run, 3));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> "finished".equals(call(() -> vm.statusProperty().get())));
    }

    private <T> T call(Callable<T> c) throws Exception {
        return fx.submit(c).get(10, TimeUnit.SECONDS);
    }
}
