package dev.cogforge.core.engine;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.bytedeco.pytorch.Stat;
import org.bytedeco.pytorch.cuda.CUDAAllocator;
import org.bytedeco.pytorch.cuda.DeviceStats;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * Reads memory use of one device: the CUDA caching allocator's statistics on a GPU, the process resident set on
 * the CPU (the number that decides whether a CPU run fits in RAM). Thread-safe; cheap enough to poll for a chart.
 */
public final class MemoryMeter {
    private static final Path PROC_STATUS = Path.of("/proc/self/status");
    private static final Path PROC_CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private final ComputeDevice device;
    private final boolean procAvailable;
    private long sampledPeak;
    private boolean peakSinceReset;

    private MemoryMeter(ComputeDevice device) {
        this.device = device;
        this.procAvailable = !device.isCuda() && Files.isReadable(PROC_STATUS);
    }

    public static MemoryMeter of(ComputeDevice device) {
        if (device.isCuda()) Devices.requireAvailable(device, "MemoryMeter");
        return new MemoryMeter(device);
    }

    public ComputeDevice device() {
        return device;
    }

    public synchronized MemorySnapshot snapshot() {
        if (device.isCuda()) return cudaSnapshot();
        long total = physicalMemory();
        if (procAvailable) {
            long[] rss = readProcStatus();
            if (rss != null) {
                return new MemorySnapshot(device.toString(), MemorySnapshot.Source.PROC_STATUS, rss[0], rss[1], rss[0], rss[1],
                        total, peakSinceReset);
            }
        }
        long rss = psResidentBytes();
        MemorySnapshot.Source source = MemorySnapshot.Source.PS_SAMPLED;
        if (rss < 0) {
            rss = jvmCommittedBytes();
            source = MemorySnapshot.Source.JVM_COMMITTED;
        }
        sampledPeak = Math.max(sampledPeak, rss);
        return new MemorySnapshot(device.toString(), source, rss, sampledPeak, rss, sampledPeak, total, true);
    }

    /**
     * Starts a new peak window. On Linux this writes "5" to /proc/self/clear_refs, which resets VmHWM to the current
     * RSS; where that is refused, later snapshots say {@code peakSinceReset=false}.
     */
    public synchronized void resetPeak() {
        if (device.isCuda()) {
            allocator().resetPeakStats((byte) device.index());
            return;
        }
        if (procAvailable) {
            try {
                Files.writeString(PROC_CLEAR_REFS, "5", StandardCharsets.US_ASCII);
                peakSinceReset = true;
            } catch (IOException | SecurityException e) {
                peakSinceReset = false;
            }
            return;
        }
        sampledPeak = 0;
        long now = snapshot().current();
        sampledPeak = now;
    }

    private MemorySnapshot cudaSnapshot() {
        byte index = (byte) device.index();
        CUDAAllocator alloc = allocator();
        DeviceStats stats = alloc.getDeviceStats(index);
        try {
            Stat allocated = stats.allocated_bytes();
            Stat reserved = stats.reserved_bytes();
            long total = 0;
            try (var info = alloc.getMemoryInfo(index)) {
                total = info.second();
            } catch (RuntimeException e) {
                total = 0;
            }
            return new MemorySnapshot(device.toString(), MemorySnapshot.Source.CUDA_ALLOCATOR, allocated.current(),
                    allocated.peak(), reserved.current(), reserved.peak(), total, true);
        } finally {
            stats.close();
        }
    }

    private static CUDAAllocator allocator() {
        Engine.ensureLoaded();
        return torch_cuda.getAllocator();
    }

    /** {VmRSS, VmHWM} in bytes, or null when the file is not in the expected form. */
    static long[] readProcStatus() {
        try {
            return parseProcStatus(Files.readString(PROC_STATUS, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return null;
        }
    }

    static long[] parseProcStatus(String text) {
        long rss = -1, hwm = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith("VmRSS:")) rss = kib(line);
            else if (line.startsWith("VmHWM:")) hwm = kib(line);
        }
        if (rss < 0 || hwm < 0) return null;
        return new long[] {rss, Math.max(rss, hwm)};
    }

    private static long kib(String line) {
        String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        try {
            long v = Long.parseLong(parts[0]);
            return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? v * 1024 : v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Resident size from {@code ps} (macOS, BSD); -1 on Windows or failure. */
    private static long psResidentBytes() {
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) return -1;
        try {
            Process p = new ProcessBuilder("ps", "-o", "rss=", "-p", Long.toString(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) return -1;
            return Long.parseLong(out) * 1024;
        } catch (IOException | NumberFormatException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static long jvmCommittedBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long v = os.getCommittedVirtualMemorySize();
            if (v > 0) return v;
        }
        var mem = ManagementFactory.getMemoryMXBean();
        return mem.getHeapMemoryUsage().getCommitted() + mem.getNonHeapMemoryUsage().getCommitted();
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }
}
