package dev.cogforge.app.studio.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.cogforge.app.studio.settings.Presets;
import dev.cogforge.app.studio.settings.SettingsViewModel;
import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.train.TrainingEvent;
import dev.cogforge.core.train.config.ConfigProblem;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.util.WaitForAsyncUtils;

/** The Settings page's device and process count, and the Train page's per-rank memory line. */
class DeviceSettingsTest {
    @TempDir
    Path tmp;
    private final ExecutorService background = Executors.newFixedThreadPool(2);
    private final ExecutorService fx = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        background.shutdownNow();
        fx.shutdownNow();
    }

    private SettingsViewModel settings() {
        SettingsViewModel s = new SettingsViewModel(Runnable::run, Runnable::run, new Presets.Locations(tmp, tmp, tmp));
        s.applyPreset(Presets.byId("lora-2b"));
        s.field("data_root").textProperty().set(tmp.toString());
        return s;
    }

    private static List<ConfigProblem> problemsOf(SettingsViewModel s, String key) {
        return s.problems().stream().filter(p -> p.key().equals(key)).toList();
    }

    @Test
    void processCountIsCheckedAgainstTheChosenDevice() {
        SettingsViewModel s = settings();
        s.setAvailableDevices(List.of(ComputeDevice.CPU, ComputeDevice.cuda(0), ComputeDevice.cuda(1)), ComputeDevice.cuda(0));
        assertEquals(ComputeDevice.cuda(0), s.computeDeviceProperty().get(), "the preferred GPU replaces the CPU placeholder");
        assertEquals(2, s.maxProcesses());
        assertTrue(s.validProperty().get());

        s.processesProperty().set(3);
        ConfigProblem tooMany = problemsOf(s, "processes").getFirst();
        assertTrue(tooMany.isError());
        assertEquals("3 processes need 3 GPUs, only 2 available", tooMany.message());
        assertFalse(s.validProperty().get());

        s.processesProperty().set(2);
        ConfigProblem note = problemsOf(s, "processes").getFirst();
        assertFalse(note.isError());
        assertTrue(note.message().contains("--nproc 2"), note.message());
        assertTrue(s.validProperty().get());

        s.processesProperty().set(0);
        assertTrue(problemsOf(s, "processes").getFirst().isError());

        s.processesProperty().set(1);
        s.computeDeviceProperty().set(ComputeDevice.cuda(5));
        assertEquals("cuda:5 is not available here (available: [cpu, cuda:0, cuda:1])", problemsOf(s, "device").getFirst().message());
        s.computeDeviceProperty().set(ComputeDevice.CPU);
        assertTrue(problemsOf(s, "device").isEmpty());
        assertEquals(Runtime.getRuntime().availableProcessors(), s.maxProcesses());
    }

    @Test
    void aMultiProcessRunIsCheckedOnceBeforeAnyWorkerStarts() throws Exception {
        SettingsViewModel s = settings();
        s.setAvailableDevices(List.of(ComputeDevice.CPU, ComputeDevice.cuda(0), ComputeDevice.cuda(1)), ComputeDevice.cuda(0));
        s.processesProperty().set(2);
        FakeTrainer trainer = new FakeTrainer(tmp);
        TrainViewModel vm = new TrainViewModel(trainer, s, background, fx);
        assertTrue(fx.submit(vm::start).get(10, TimeUnit.SECONDS));
        org.testfx.util.WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx.submit(() -> !vm.runningProperty().get()).get());
        TrainingEvent end = fx.submit(() -> vm.lastTerminalProperty().get()).get(10, TimeUnit.SECONDS);
        // the preset's model is not downloaded here: the launcher's preflight refuses it, as `cogforge train --nproc` does
        assertTrue(end instanceof TrainingEvent.Failed f && f.message().contains("CogVideoX-2b"), String.valueOf(end));
        assertTrue(trainer.started.isEmpty(), "the in-process trainer is not used for a multi-process run");
        List<TrainViewModel.RankRow> rows = fx.submit(() -> List.copyOf(vm.rankRows())).get(10, TimeUnit.SECONDS);
        assertEquals(2, rows.size());
        assertTrue(rows.stream().allMatch(r -> r.pid() == 0 && r.state().equals("stopped")), rows.toString());
        assertEquals(-1, fx.submit(() -> vm.failedRankProperty().get()).get().intValue());
        fx.submit(() -> s.computeDeviceProperty().set(ComputeDevice.cuda(1))).get(10, TimeUnit.SECONDS);
        assertEquals(List.of(1, 0), fx.submit(s::gpusForRun).get(10, TimeUnit.SECONDS), "automatic: from the chosen GPU on");
        assertEquals(java.util.Map.of("CUDA_VISIBLE_DEVICES", "1,0", "COGFORGE_DEVICE", "cuda:0"),
                MultiProcessRun.environment(ComputeDevice.cuda(1), List.of(1, 0), 2));
        assertEquals(java.util.Map.of("CUDA_VISIBLE_DEVICES", "", "COGFORGE_DEVICE", "cpu"), MultiProcessRun.environment(ComputeDevice.CPU, List.of(), 2));
    }

    @Test
    void perRankMemoryOfTheNewestStepIsShown() throws Exception {
        SettingsViewModel s = settings();
        FakeTrainer trainer = new FakeTrainer(tmp);
        TrainViewModel vm = new TrainViewModel(trainer, s, background, fx);
        assertTrue(fx.submit(vm::start).get(10, TimeUnit.SECONDS));
        trainer.awaitStart();
        trainer.listener.on(new TrainingEvent.Started(10, 1, 100, 0));
        for (long step = 1; step <= 3; step++) {
            trainer.listener.on(new TrainingEvent.RankMemory(step, List.of(
                    new TrainingEvent.Memory(step << 20, 2 * step << 20, 8L << 30),
                    new TrainingEvent.Memory(3 * step << 20, 4 * step << 20, 8L << 30))));
        }
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx.submit(() -> vm.rankMemoryProperty().get().contains("step 3")).get());
        assertEquals("memory per rank at step 3: rank 0 3 MiB (peak 6) · rank 1 9 MiB (peak 12)",
                fx.submit(() -> vm.rankMemoryProperty().get()).get());
        assertTrue(fx.submit(() -> vm.log().stream().noneMatch(l -> l.contains("RankMemory"))).get(), "not one log line per step");
    }
}
