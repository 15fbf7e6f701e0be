package dev.cogforge.core.dist;

import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BarrierOptions;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;

/**
 * This process's membership in a data-parallel job: the handle the trainer holds. With one process every collective
 * is the identity, so the trainer runs the same code either way. Obtain it from {@link ProcessGroups#init}.
 */
public final class DistributedContext implements AutoCloseable {
    private final DistributedEnv env;
    private final CommBackend backend;
    private final DistributedTimeouts timeouts;
    private final Store store;
    private final Backend group;
    private final Heartbeat heartbeat;
    private boolean closed;

    DistributedContext(DistributedEnv env, CommBackend backend, DistributedTimeouts timeouts, Store store, Backend group,
                       Heartbeat heartbeat) {
        this.env = env;
        this.backend = backend;
        this.timeouts = timeouts;
        this.store = store;
        this.group = group;
        this.heartbeat = heartbeat;
    }

    static DistributedContext single(DistributedTimeouts timeouts) {
        return new DistributedContext(DistributedEnv.singleProcess(), CommBackend.GLOO, timeouts, null, null, null);
    }

    public DistributedEnv env() {
        return env;
    }

    public int rank() {
        return env.rank();
    }

    public int worldSize() {
        return env.worldSize();
    }

    public boolean isRankZero() {
        return env.isRankZero();
    }

    public CommBackend backend() {
        return backend;
    }

    public DistributedTimeouts timeouts() {
        return timeouts;
    }

    /** Tells the watchers where this rank is ("step 120 backward"); shown in failure reports. */
    public void reportProgress(String where) {
        if (heartbeat != null) heartbeat.progress(where);
    }

    /**
     * Sums each tensor across ranks, in place. All are launched before the first is awaited so that the backend
     * pipelines them. Every rank must pass tensors of the same shapes and dtypes in the same order.
     */
    public void allReduceSum(List<Tensor> tensors) {
        if (group == null || tensors.isEmpty()) return;
        try (PointerScope scope = new PointerScope()) {
            Work[] pending = new Work[tensors.size()];
            for (int i = 0; i < pending.length; i++) {
                AllreduceOptions o = new AllreduceOptions();
                o.reduceOp(new ReduceOp(ReduceOp.RedOpType.SUM));
                Tensor t = tensors.get(i);
                pending[i] = run("all-reduce", () -> group.allreduce(new TensorVector(t), o));
            }
            for (Work w : pending) await("all-reduce", w);
        }
    }

    /**
     * Starts summing {@code tensor} across ranks in place and returns at once; the backend's own threads do the work
     * while the caller goes on (Gloo runs it on its worker threads, NCCL on its stream). The tensor must not be read or
     * written until {@link PendingAllReduce#await()} returns. Every rank must start the same collectives in the same order.
     */
    public PendingAllReduce startAllReduceSum(Tensor tensor) {
        if (group == null) return PendingAllReduce.DONE;
        try (PointerScope scope = new PointerScope()) {
            AllreduceOptions o = new AllreduceOptions();
            o.reduceOp(new ReduceOp(ReduceOp.RedOpType.SUM));
            Work w = run("all-reduce", () -> group.allreduce(new TensorVector(tensor), o));
            w.retainReference(); // outlives this scope until awaited
            return new PendingAllReduce(this, w);
        }
    }

    /** An all-reduce in flight ({@link #startAllReduceSum}); await or {@link #close} it exactly once. */
    public static final class PendingAllReduce implements AutoCloseable {
        static final PendingAllReduce DONE = new PendingAllReduce(null, null);
        private final DistributedContext owner;
        private Work work;

        private PendingAllReduce(DistributedContext owner, Work work) {
            this.owner = owner;
            this.work = work;
        }

        /** Blocks until this rank's result is in place (throws {@link DistributedException} when a peer failed). */
        public void await() {
            if (work == null) return;
            try {
                owner.await("all-reduce", work);
            } finally {
                close();
            }
        }

        /** Drops the handle without waiting (error paths: the collective is abandoned with the job). */
        @Override
        public void close() {
            if (work == null) return;
            Work w = work;
            work = null;
            w.releaseReference();
        }
    }

    /** Overwrites {@code tensor} on every rank with rank {@code root}'s value. */
    public void broadcast(Tensor tensor, int root) {
        if (group == null) return;
        if (root < 0 || root >= worldSize()) throw new IllegalArgumentException("root rank " + root + " is outside [0, " + worldSize() + ")");
        try (PointerScope scope = new PointerScope()) {
            BroadcastOptions o = new BroadcastOptions();
            o.rootRank(root);
            await("broadcast", run("broadcast", () -> group.broadcast(new TensorVector(tensor), o)));
        }
    }

    /** Returns once every rank has called it (or throws when one never does within the collective timeout). */
    public void barrier() {
        if (group == null) return;
        try (PointerScope scope = new PointerScope()) {
            BarrierOptions o = new BarrierOptions();
            o.timeout(new Milliseconds(timeouts.collective().toMillis()));
            await("barrier", run("barrier", () -> group.barrier(o)));
        }
    }

    private Work run(String op, java.util.function.Supplier<Work> launch) {
        try {
            return launch.get();
        } catch (RuntimeException e) {
            throw failure(op, e);
        }
    }

    private void await(String op, Work w) {
        try {
            w._wait();
        } catch (RuntimeException e) {
            throw failure(op, e);
        }
    }

    private DistributedException failure(String op, RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        boolean timedOut = m.contains("Timed out") || m.contains("timed out") || m.contains("Timeout");
        boolean peerGone = m.contains("Connection closed by peer") || m.contains("Connection reset") || m.contains("Broken pipe");
        String why = timedOut ? "timed out after " + timeouts.collective().toSeconds() + " s waiting for another rank"
                : peerGone ? "another rank closed its connection (it crashed or was killed)" : "failed";
        return new DistributedException(op + " on rank " + rank() + "/" + worldSize() + " " + why + ": " + m,
                timedOut || peerGone, e);
    }

    /**
     * Leaves the job. All ranks meet at a barrier first, so that rank 0 (which may serve the store) never closes the
     * store while another rank's heartbeat still talks to it.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (group == null) return;
        try {
            barrier();
            if (heartbeat != null) heartbeat.close();
            barrier();
        } finally {
            group.close();
            store.close();
        }
    }

    /** Closes without the goodbye barrier: for error paths where other ranks may be gone. */
    public void abandon() {
        if (closed) return;
        closed = true;
        if (heartbeat != null) heartbeat.close();
    }
}
