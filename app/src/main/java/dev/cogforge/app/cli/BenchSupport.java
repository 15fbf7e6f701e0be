package dev.cogforge.app.cli;

import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.engine.ComputeDevice;
import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.MemoryMeter;

/** What the {@code bench} commands share: engine/thread set-up, medians and the process's peak RSS. */
final class BenchSupport {
    private static final MemoryMeter PROCESS_MEMORY = MemoryMeter.of(ComputeDevice.CPU);

    private BenchSupport() {}

    /** Loads the engine and sets the intra-op threads; {@code threads} null or {@code <= 0} keeps the engine default. */
    static void startEngine(Integer threads) {
        Engine.ensureLoaded();
        if (threads != null && threads > 0) Engine.setThreads(threads);
    }

    /** NaN for no values. */
    static double median(List<Double> values) {
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        int n = s.size();
        if (n == 0) return Double.NaN;
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** Peak resident memory of this process since the last {@link #resetPeakRss()}, in MiB (the engine's meter). */
    static double peakRssMiB() {
        return PROCESS_MEMORY.snapshot().peak() / (1024.0 * 1024.0);
    }

    /** Starts a new peak window; false where the platform cannot reset the peak (it then counts from process start). */
    static boolean resetPeakRss() {
        PROCESS_MEMORY.resetPeak();
        return PROCESS_MEMORY.snapshot().peakSinceReset();
    }
}
