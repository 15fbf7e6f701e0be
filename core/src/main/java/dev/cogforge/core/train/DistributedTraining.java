package dev.cogforge.core.train;

import dev.cogforge.core.dist.DistributedException;
import dev.cogforge.core.dist.Launcher;

/** How a training worker process reports the way its rank ended to whoever launched it. */
public final class DistributedTraining {
    public static final int EXIT_FINISHED = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_CANCELLED = 130;

    private DistributedTraining() {}

    /**
     * 0 finished, 130 cancelled, {@link Launcher#EXIT_PEER_FAILURE} when the run failed because another rank did (a
     * collective broke or timed out), 1 for a failure of this rank — so the launcher names the rank that failed first.
     */
    public static int exitCode(TrainingEvent end) {
        return switch (end) {
            case TrainingEvent.Finished f -> EXIT_FINISHED;
            case TrainingEvent.Cancelled c -> EXIT_CANCELLED;
            case TrainingEvent.Failed f -> isPeerFailure(f.cause()) ? Launcher.EXIT_PEER_FAILURE : EXIT_FAILED;
            default -> EXIT_FAILED;
        };
    }

    static boolean isPeerFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DistributedException d) return d.peerFailure();
        }
        return false;
    }
}
