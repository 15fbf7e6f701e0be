package dev.cogforge.core.dist;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Work only rank 0 does: checkpoints, metrics, validation videos, the studio's event stream. Other ranks hold
 * identical weights, so their copies would only race for the same files.
 */
public final class RankZeroOnly {
    private RankZeroOnly() {}

    public static void run(DistributedContext context, Runnable action) {
        if (context.isRankZero()) action.run();
    }

    public static <T> Optional<T> call(DistributedContext context, Supplier<T> action) {
        return context.isRankZero() ? Optional.ofNullable(action.get()) : Optional.empty();
    }

    /**
     * Rank 0 runs {@code action} while the others wait at a barrier; use when every rank reads what rank 0 writes
     * (e.g. a checkpoint before a resume). The wait is bounded by the collective timeout.
     */
    public static void runThenSynchronise(DistributedContext context, Runnable action) {
        if (context.isRankZero()) {
            context.reportProgress("rank-0-only work");
            action.run();
        }
        context.barrier();
    }
}
