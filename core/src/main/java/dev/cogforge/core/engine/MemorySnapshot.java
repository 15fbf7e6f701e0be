package dev.cogforge.core.engine;

/**
 * Memory use of one device at one moment, in bytes.
 *
 * <p>For CUDA: {@code current}/{@code peak} are bytes held by live tensors and {@code reserved}/{@code reservedPeak}
 * what libtorch's caching allocator holds from the driver (what {@code nvidia-smi} shows, minus the context).
 * For the CPU: {@code current}/{@code peak} are the process's resident set (VmRSS/VmHWM on Linux) and reserved equals
 * current. {@code total} is the device's memory size (0 when unknown). {@code peakSinceReset} is false when the
 * platform could not reset the peak, so {@code peak} covers the whole process lifetime.
 */
public record MemorySnapshot(String device, Source source, long current, long peak, long reserved, long reservedPeak,
                             long total, boolean peakSinceReset) {
    public enum Source {
        /** libtorch CUDA caching allocator statistics. */
        CUDA_ALLOCATOR,
        /** Linux /proc/self/status VmRSS and VmHWM. */
        PROC_STATUS,
        /** Resident size from {@code ps}, peak sampled by the meter (macOS and other Unix). */
        PS_SAMPLED,
        /** The JVM's committed virtual memory, peak sampled by the meter (Windows and last resort). */
        JVM_COMMITTED
    }

    public static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    public String describe() {
        if (source == Source.CUDA_ALLOCATOR) {
            return device + ": allocated " + mib(current) + " (peak " + mib(peak) + "), reserved " + mib(reserved)
                    + " (peak " + mib(reservedPeak) + ")" + (total > 0 ? ", total " + mib(total) : "");
        }
        return device + ": resident " + mib(current) + " (peak " + mib(peak) + (peakSinceReset ? "" : " since start")
                + ")" + (total > 0 ? ", physical " + mib(total) : "") + " [" + source + "]";
    }
}
