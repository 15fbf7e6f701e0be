package dev.cogforge.core.dist;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Gradient averaging overlapped with backward, PyTorch DDP's trick without autograd hooks: the caller runs backward in
 * pieces (the checkpointed transformer walks its blocks by hand) and says after each piece which parameters'
 * gradients are final ({@link #gradientsReady}). Parameters are bucketed in the order the caller lists them — backward
 * order, last block first — and a bucket's all-reduce starts as soon as all its members are final, while backward goes
 * on with the next block. {@link #finish} marks whatever is left, waits for every bucket, divides by the world size and
 * copies the averages back into the gradients.
 *
 * <p>Buckets are started strictly in layout order (a finished bucket waits for the ones before it), and the layout
 * comes from the parameter list only, so every rank issues identical collectives in identical order whatever order
 * its pieces report in. A parameter that got no gradient contributes zeros. With gradient accumulation, report only
 * in the last micro-step: earlier ones leave gradients that the next micro-step still adds to. One step at a time:
 * after {@link #finish} the object is ready for the next step.
 */
public final class OverlappedGradientSync implements AutoCloseable {
    private final DistributedContext context;
    private final List<Tensor> parameters;
    private final Map<Tensor, Integer> indexOf = new IdentityHashMap<>();
    private final List<List<Integer>> buckets;
    private final int[] bucketOf;
    private final boolean[] ready;
    private final int[] unready;
    private final Tensor[] flats;
    private final DistributedContext.PendingAllReduce[] pending;
    private int nextToStart;
    private int readyCount;
    private int startedEarly;
    private int startedEarlyLastStep;

    /**
     * @param inBackwardOrder the trainable parameters in the order backward finalises them (the same list on every
     *                        rank); {@link #gradientsReady} must be given these very tensor objects
     */
    public OverlappedGradientSync(DistributedContext context, List<Tensor> inBackwardOrder, long bucketBytes) {
        if (bucketBytes < 1) throw new IllegalArgumentException("bucket size must be positive, got " + bucketBytes);
        this.context = context;
        this.parameters = List.copyOf(inBackwardOrder);
        for (int i = 0; i < parameters.size(); i++) {
            if (indexOf.put(parameters.get(i), i) != null) throw new IllegalArgumentException("parameter " + i + " is listed twice");
        }
        this.buckets = GradientSync.layout(parameters, bucketBytes);
        this.bucketOf = new int[parameters.size()];
        for (int b = 0; b < buckets.size(); b++) for (int i : buckets.get(b)) bucketOf[i] = b;
        this.ready = new boolean[parameters.size()];
        this.unready = new int[buckets.size()];
        this.flats = new Tensor[buckets.size()];
        this.pending = new DistributedContext.PendingAllReduce[buckets.size()];
        reset();
    }

    public int bucketCount() {
        return buckets.size();
    }

    /**
     * How many buckets the last {@link #finish}ed step started while some gradients were still not final, i.e. while
     * backward was still running: the overlap actually achieved.
     */
    public int bucketsStartedDuringBackward() {
        return startedEarlyLastStep;
    }

    /** These parameters' gradients are final for this step; starts every bucket that is now complete, in order. */
    public void gradientsReady(List<Tensor> finalised) {
        if (context.worldSize() == 1) return;
        for (Tensor p : finalised) {
            Integer i = indexOf.get(p);
            if (i == null) throw new IllegalArgumentException("gradientsReady got a tensor that is not one of the synchronised parameters");
            if (!ready[i]) {
                ready[i] = true;
                readyCount++;
                unready[bucketOf[i]]--;
            }
        }
        startCompleteBuckets();
        if (readyCount < parameters.size()) startedEarly = nextToStart;
    }

    /** Marks the rest final, waits for every bucket and leaves each gradient equal to the mean over ranks. */
    public void finish() {
        if (context.worldSize() == 1) return;
        gradientsReady(parameters);
        startedEarlyLastStep = startedEarly;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Scalar ranks = new Scalar((double) context.worldSize());
            for (int b = 0; b < buckets.size(); b++) {
                pending[b].await();
                pending[b] = null;
                List<Tensor> grads = new ArrayList<>();
                for (int i : buckets.get(b)) grads.add(GradientSync.gradientOf(parameters.get(i)));
                flats[b].div_(ranks);
                GradientSync.unflatten(flats[b], grads);
                flats[b].releaseReference();
                flats[b] = null;
            }
        } finally {
            close();
        }
    }

    private void startCompleteBuckets() {
        while (nextToStart < buckets.size() && unready[nextToStart] == 0) {
            int b = nextToStart;
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                List<Tensor> grads = new ArrayList<>();
                for (int i : buckets.get(b)) grads.add(GradientSync.gradientOf(parameters.get(i)));
                Tensor flat = GradientSync.flatten(grads);
                flat.retainReference(); // in flight beyond this scope, until finish
                flats[b] = flat;
                pending[b] = context.startAllReduceSum(flat);
            }
            nextToStart++;
        }
    }

    /** Drops buckets in flight (after a failure mid-step) and readies the object for a new step. */
    @Override
    public void close() {
        for (int b = 0; b < buckets.size(); b++) {
            if (pending[b] != null) {
                pending[b].close();
                pending[b] = null;
            }
            if (flats[b] != null) {
                flats[b].releaseReference();
                flats[b] = null;
            }
        }
        reset();
    }

    private void reset() {
        java.util.Arrays.fill(ready, false);
        for (int b = 0; b < buckets.size(); b++) unready[b] = buckets.get(b).size();
        nextToStart = 0;
        readyCount = 0;
        startedEarly = 0;
    }
}
