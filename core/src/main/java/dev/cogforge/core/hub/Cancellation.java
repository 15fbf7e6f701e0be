package dev.cogforge.core.hub;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import okhttp3.Call;

/**
 * Cancels an upload from another thread (the studio's Cancel button): aborts the HTTP call in flight and wakes a
 * backoff wait, so a cancel takes effect at once instead of after the current part or delay.
 */
public final class Cancellation {
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();

    public static Cancellation none() {
        return new Cancellation();
    }

    public void cancel() {
        cancelled.countDown();
        for (Call c : inFlight) c.cancel();
    }

    public boolean isCancelled() {
        return cancelled.getCount() == 0;
    }

    void throwIfCancelled() throws HubException {
        if (isCancelled()) throw new HubException(HubException.Kind.CANCELLED, "upload cancelled");
    }

    void register(Call call) {
        inFlight.add(call);
        if (isCancelled()) call.cancel();
    }

    void unregister(Call call) {
        inFlight.remove(call);
    }

    /** Waits up to {@code d}; returns true when cancelled meanwhile. */
    boolean awaitCancel(Duration d) throws InterruptedException {
        return cancelled.await(d.toNanos(), TimeUnit.NANOSECONDS);
    }
}
