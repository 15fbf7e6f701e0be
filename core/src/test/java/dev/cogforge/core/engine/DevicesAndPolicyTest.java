package dev.cogforge.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class DevicesAndPolicyTest {
    @Test
    void parsesDeviceNames() {
        assertEquals(ComputeDevice.CPU, ComputeDevice.parse(" CPU "));
        assertEquals(ComputeDevice.cuda(0), ComputeDevice.parse("cuda"));
        assertEquals(ComputeDevice.cuda(2), ComputeDevice.parse("cuda:2"));
        assertEquals("cuda:2", ComputeDevice.cuda(2).toString());
        var e = assertThrows(IllegalArgumentException.class, () -> ComputeDevice.parse("tpu"));
        assertTrue(e.getMessage().contains("'tpu'"));
    }

    @Test
    void overrideWinsAndPropertyBeatsEnvironment() {
        assertEquals(ComputeDevice.CPU, Devices.preferred("cpu", "cuda"));
        assertEquals(ComputeDevice.CPU, Devices.preferred(null, "cpu"));
        assertEquals(Devices.cudaAvailable() ? ComputeDevice.cuda(0) : ComputeDevice.CPU, Devices.preferred(null, null));
        var bad = assertThrows(IllegalArgumentException.class, () -> Devices.preferred(null, "cuda:x"));
        assertTrue(bad.getMessage().startsWith(Devices.ENV), bad.getMessage());
        if (!Devices.cudaAvailable()) {
            var e = assertThrows(IllegalStateException.class, () -> Devices.preferred("cuda:1", null));
            assertTrue(e.getMessage().contains("-Dcogforge.device") && e.getMessage().contains("no CUDA device"), e.getMessage());
        }
    }

    @Test
    void cpuAlwaysRunsFp32AndSaysWhenARequestWasOverridden() {
        DtypePolicy cpu = DtypePolicy.of(ComputeDevice.CPU, MixedPrecision.BF16);
        assertEquals(ScalarType.Float, cpu.computeType());
        assertEquals(MixedPrecision.NO, cpu.effective());
        assertTrue(cpu.downgraded());
        assertTrue(cpu.describe().contains("requested bf16"));
        assertFalse(DtypePolicy.defaultFor(ComputeDevice.CPU).downgraded());
    }

    @Test
    void gpuUsesRequestedHalfPrecisionAndKeepsTrainableParametersFp32() {
        DtypePolicy bf16 = DtypePolicy.defaultFor(ComputeDevice.cuda(0));
        assertEquals(ScalarType.BFloat16, bf16.computeType());
        assertEquals(ScalarType.Float, bf16.trainableType());
        assertEquals(ScalarType.Half, DtypePolicy.of(ComputeDevice.cuda(0), MixedPrecision.FP16).computeType());
        assertEquals(ScalarType.Float, DtypePolicy.of(ComputeDevice.cuda(0), MixedPrecision.NO).computeType());
        assertEquals(MixedPrecision.FP16, MixedPrecision.parse("FP16"));
        assertEquals(MixedPrecision.NO, MixedPrecision.parse("no"));
        assertThrows(IllegalArgumentException.class, () -> MixedPrecision.parse("int8"));
    }

    @Test
    void parsesProcStatus() {
        long[] v = MemoryMeter.parseProcStatus("Name:\tjava\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n");
        assertEquals(1024 * 1024, v[0]);
        assertEquals(2048 * 1024, v[1]);
        assertEquals(null, MemoryMeter.parseProcStatus("Name: x\n"));
    }

    @Test
    void cpuMeterSeesAnAllocationInItsPeak() {
        Engine.ensureLoaded();
        MemoryMeter meter = MemoryMeter.of(ComputeDevice.CPU);
        meter.resetPeak();
        MemorySnapshot before = meter.snapshot();
        assertTrue(before.current() > 0 && before.total() > 0);
        long bytes = 64L << 20;
        try (PointerScope scope = new PointerScope()) {
            var t = Tensors.empty(ScalarType.Float, bytes / 4);
            t.fill_(new org.bytedeco.pytorch.Scalar(1.0));
            MemorySnapshot during = meter.snapshot();
            assertTrue(during.current() - before.current() > bytes * 3 / 4, during.describe());
        }
        MemorySnapshot after = meter.snapshot();
        assertTrue(after.peak() - before.current() > bytes * 3 / 4, after.describe());
    }
}
