package dev.cogforge.core.dist;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;

/**
 * A daemon thread that bumps this rank's counter in the rendezvous store every interval, over its own store
 * connection (the training thread may sit inside a native collective for minutes). Staleness is judged by whether a
 * counter moved on the watcher's own clock, so clocks of different machines never need to agree.
 *
 * <p>When {@code watchPeers} is set (jobs started by torchrun / srun / Kubernetes, where no {@link Launcher} watches)
 * it also watches every other rank's counter; a rank whose counter stalls past the timeout, or a store that stays
 * unreachable that long (rank 0 or the launcher died), ends this process through {@code onFatal} — the training
 * thread may be stuck in a collective that cannot be interrupted, so the default handler halts the JVM.
 */
final class Heartbeat implements AutoCloseable {
    private final int rank;
    private final int worldSize;
    private final DistributedTimeouts timeouts;
    private final boolean watchPeers;
    private final Consumer<String> onFatal;
    private final TCPStore store;
    private final Thread thread;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile String progress = "starting";

    Heartbeat(DistributedEnv env, DistributedTimeouts timeouts, boolean watchPeers, Consumer<String> onFatal) {
        this.rank = env.rank();
        this.worldSize = env.worldSize();
        this.timeouts = timeouts;
        this.watchPeers = watchPeers;
        this.onFatal = onFatal;
        TCPStoreOptions o = new TCPStoreOptions();
        o.port((short) env.masterPort());
        o.isServer(false);
        o.waitWorkers(false);
        o.timeout(new Milliseconds(timeouts.rendezvous().toMillis()));
        this.store = new TCPStore(env.masterAddr(), o);
        store.setTimeout(new Milliseconds(timeouts.heartbeatTimeout().toMillis()));
        beat();
        this.thread = Thread.ofPlatform().daemon().name("cogforge-heartbeat-rank" + rank).unstarted(this::loop);
        thread.start();
    }

    /**
     * Published at once (one store round trip, well under a millisecond on a LAN) so that a report about a rank that
     * froze right after names the step it froze in. The store client serialises concurrent calls.
     */
    void progress(String where) {
        this.progress = where;
        try {
            store.set(StoreKeys.progress(rank), where);
        } catch (RuntimeException e) {
            // the heartbeat thread owns reporting a lost store
        }
    }

    private void beat() {
        store.add(StoreKeys.heartbeat(rank), 1);
        store.set(StoreKeys.progress(rank), progress);
    }

    private void loop() {
        long[] lastValue = new long[worldSize];
        long[] lastChange = new long[worldSize];
        Arrays.fill(lastValue, -1);
        Arrays.fill(lastChange, System.nanoTime());
        long lastStoreContact = System.nanoTime();
        long timeoutNanos = timeouts.heartbeatTimeout().toNanos();
        try {
            while (!stop.await(timeouts.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                try {
                    beat();
                    if (watchPeers) {
                        for (int r = 0; r < worldSize; r++) {
                            if (r == rank) continue;
                            long v = store.add(StoreKeys.heartbeat(r), 0);
                            if (v != lastValue[r]) {
                                lastValue[r] = v;
                                lastChange[r] = now;
                            } else if (now - lastChange[r] > timeoutNanos) {
                                String where = new String(store.get(StoreKeys.progress(r)).get(), java.nio.charset.StandardCharsets.UTF_8);
                                onFatal.accept("rank " + r + " stopped heart-beating for more than "
                                        + seconds(timeouts.heartbeatTimeout()) + " (last reported: " + where + ")");
                                return;
                            }
                        }
                    }
                    lastStoreContact = now;
                } catch (RuntimeException e) {
                    if (stop.getCount() == 0) return;
                    if (now - lastStoreContact > timeoutNanos) {
                        onFatal.accept("the rendezvous store at " + describe() + " has been unreachable for more than "
                                + seconds(timeouts.heartbeatTimeout()) + " (rank 0 or the launcher is gone): " + e.getMessage());
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String describe() {
        return store.getHost().getString() + ":" + Short.toUnsignedInt(store.getPort());
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    @Override
    public void close() {
        stop.countDown();
        try {
            thread.join(timeouts.heartbeatTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
    }
}
