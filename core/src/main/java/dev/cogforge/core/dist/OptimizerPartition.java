package dev.cogforge.core.dist;

import java.util.ArrayList;
import java.util.List;

/**
 * Which rank owns the optimizer state of which trainable parameters under ZeRO stage 1: the parameter list cut into
 * {@code worldSize} contiguous ranges of about equal bytes. The cut depends only on the sizes and the world size, so
 * every rank computes the same one without talking to the others. A range may be empty when there are fewer
 * parameters than ranks or one parameter dominates.
 */
public record OptimizerPartition(List<Range> ranges, long totalBytes) {

    /** Parameters {@code [from, to)} of the list; {@code bytes} is their total size. */
    public record Range(int from, int to, long bytes) {
        public int size() {
            return to - from;
        }

        public boolean contains(int index) {
            return index >= from && index < to;
        }
    }

    public OptimizerPartition {
        ranges = List.copyOf(ranges);
    }

    /**
     * Cuts before the parameter whose starting offset is closest to {@code k · total / worldSize} for each
     * {@code k = 1 … worldSize−1} (never moving backwards), which keeps every range within one parameter's size of
     * its fair share.
     */
    public static OptimizerPartition of(long[] parameterBytes, int worldSize) {
        if (worldSize < 1) throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
        int n = parameterBytes.length;
        long[] prefix = new long[n + 1];
        for (int i = 0; i < n; i++) {
            if (parameterBytes[i] < 0) throw new IllegalArgumentException("parameter " + i + " has negative size " + parameterBytes[i]);
            prefix[i + 1] = prefix[i] + parameterBytes[i];
        }
        long total = prefix[n];
        int[] cuts = new int[worldSize + 1];
        cuts[worldSize] = n;
        int cut = 0;
        for (int k = 1; k < worldSize; k++) {
            double target = (double) total * k / worldSize;
            while (cut < n && Math.abs(prefix[cut + 1] - target) <= Math.abs(prefix[cut] - target)) cut++;
            cuts[k] = cut;
        }
        List<Range> ranges = new ArrayList<>(worldSize);
        for (int r = 0; r < worldSize; r++) ranges.add(new Range(cuts[r], cuts[r + 1], prefix[cuts[r + 1]] - prefix[cuts[r]]));
        return new OptimizerPartition(ranges, total);
    }

    public int worldSize() {
        return ranges.size();
    }

    public Range of(int rank) {
        return ranges.get(rank);
    }

    /** The rank whose range holds parameter {@code index}. */
    public int owner(int index) {
        for (int r = 0; r < ranges.size(); r++) if (ranges.get(r).contains(index)) return r;
        throw new IndexOutOfBoundsException("parameter " + index + " is outside the partition of " + ranges.getLast().to() + " parameters");
    }
}
