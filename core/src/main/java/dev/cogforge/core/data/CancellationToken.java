package dev.cogforge.core.data;

import java.util.concurrent.CancellationException;

/** A cooperative stop flag: long jobs check it between items and stop cleanly, keeping finished work. */
public final class CancellationToken {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public void throwIfCancelled() {
        if (cancelled) throw new CancellationException("cancelled");
    }

    /** A token nobody cancels. */
    public static CancellationToken none() {
        return new CancellationToken();
    }
}
