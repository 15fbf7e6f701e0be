package dev.cogforge.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.cogforge.core.engine.Engine;

/** What the {@code bench} commands share: engine/thread set-up, medians and the process's peak RSS. */
final class BenchSupport {
    private static final Path PROC_STATUS = Path.of("/proc/self/status");

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

    /** VmHWM of /proc/self/status (Linux); NaN elsewhere. */
    static double peakRssMiB() {
        try {
            if (!Files.isReadable(PROC_STATUS)) return Double.NaN;
            for (String line : Files.readAllLines(PROC_STATUS)) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** Writing 5 to clear_refs resets the kernel's peak-RSS counter (Linux 4.0+); false where that is refused. */
    static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
