package dev.cogforge.app.studio.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.train.config.ConfigProblem;

/** The Settings page's "gpus" field: which GPUs a multi-process run trains on, one per process. */
class GpuChoiceTest {
    @TempDir
    Path tmp;

    private SettingsViewModel fourGpus() {
        SettingsViewModel s = new SettingsViewModel(Runnable::run, Runnable::run, new Presets.Locations(tmp, tmp, tmp));
        s.applyPreset(Presets.byId("lora-2b"));
        s.field("data_root").textProperty().set(tmp.toString());
        s.setAvailableDevices(List.of(ComputeDevice.CPU, ComputeDevice.cuda(0), ComputeDevice.cuda(1), ComputeDevice.cuda(2),
                ComputeDevice.cuda(3)), ComputeDevice.cuda(2));
        return s;
    }

    private static String gpuProblem(SettingsViewModel s) {
        return s.problems().stream().filter(p -> p.key().equals("gpus")).map(ConfigProblem::message).findFirst().orElse("");
    }

    @Test
    void chosenGpusAreUsedInTheirOrder() {
        SettingsViewModel s = fourGpus();
        s.processesProperty().set(2);
        assertEquals(List.of(2, 3, 0, 1), s.gpusForRun(), "empty field: from the chosen device on");
        s.gpusProperty().set("3, 1");
        assertEquals("", gpuProblem(s));
        assertTrue(s.validProperty().get());
        assertEquals(List.of(3, 1), s.gpusForRun());
    }

    @Test
    void badChoicesAreRefusedWithTheReason() {
        SettingsViewModel s = fourGpus();
        s.processesProperty().set(2);
        s.gpusProperty().set("0;1");
        assertEquals("expected GPU indices separated by commas, e.g. 0,2,3; got '0;1'", gpuProblem(s));
        assertFalse(s.validProperty().get());
        s.gpusProperty().set("0,7");
        assertEquals("not available here: [7] (GPUs here: [0, 1, 2, 3])", gpuProblem(s));
        s.gpusProperty().set("1,1");
        assertTrue(gpuProblem(s).startsWith("a GPU can train only one process"), gpuProblem(s));
        s.gpusProperty().set("0,1,2");
        assertEquals("one GPU per process: 3 GPU(s) listed for 2 process(es)", gpuProblem(s));
        assertFalse(s.validProperty().get());
        s.processesProperty().set(3);
        assertTrue(s.validProperty().get(), s.problems().toString());

        s.computeDeviceProperty().set(ComputeDevice.CPU);
        assertTrue(gpuProblem(s).startsWith("ignored"), gpuProblem(s));
        assertEquals(List.of(), s.gpusForRun());
    }
}
