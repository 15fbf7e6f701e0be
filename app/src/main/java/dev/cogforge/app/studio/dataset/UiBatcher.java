package dev.cogforge.app.studio.dataset;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Coalesces updates from worker threads: however many arrive, at most one task is queued on the UI executor at a
 * time and it runs everything posted so far, so probing a thousand clips costs a handful of FX pulses.
 */
public final class UiBatcher {
    private final Executor ui;
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    public UiBatcher(Executor ui) {
        this.ui = ui;
    }

    public void post(Runnable update) {
        pending.add(update);
        if (scheduled.compareAndSet(false, true)) ui.execute(this::drain);
    }

    private void drain() {
        scheduled.set(false);
        Runnable r;
        while ((r = pending.poll()) != null) r.run();
    }
}
