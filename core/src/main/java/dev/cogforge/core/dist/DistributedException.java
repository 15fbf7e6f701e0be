package dev.cogforge.core.dist;

/**
 * A collective, the rendezvous or the heartbeat failed. {@link #peerFailure()} is true when the cause lies with
 * another rank (connection closed, timed out waiting for it): a worker then exits with
 * {@link Launcher#EXIT_PEER_FAILURE} so the launcher can name the rank that failed first instead of this one.
 */
public class DistributedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean peerFailure;

    public DistributedException(String message, boolean peerFailure, Throwable cause) {
        super(message, cause);
        this.peerFailure = peerFailure;
    }

    public boolean peerFailure() {
        return peerFailure;
    }
}
