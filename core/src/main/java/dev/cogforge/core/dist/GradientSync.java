package dev.cogforge.core.dist;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Data-parallel gradient averaging: after {@code backward()} on every rank, {@link #averageGradients()} leaves each
 * trainable parameter's gradient equal to the mean over ranks — which, with a loss that is a mean over the local
 * batch and equal local batch sizes, is exactly the gradient of one process training on the union of the batches.
 *
 * <p>Gradients are packed into flat buckets of about {@code bucketBytes} (one collective per bucket instead of one per
 * tensor, as in PyTorch's DDP), all buckets are launched before the first is awaited, then unpacked. The bucket
 * layout depends only on the parameter list, never on which gradients happen to exist, so all ranks always issue
 * identical collectives; a parameter without a gradient on this rank contributes zeros and receives the average.
 * Communication runs after backward; {@link OverlappedGradientSync} overlaps it with a block-wise backward instead.
 */
public final class GradientSync {
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final DistributedContext context;
    private final List<Tensor> parameters;
    private final List<List<Integer>> buckets;

    /**
     * @param trainable the parameters that receive gradients (the same list, in the same order, on every rank); the
     *                  tensors must stay alive as long as this object is used
     */
    public GradientSync(DistributedContext context, List<Tensor> trainable, long bucketBytes) {
        if (bucketBytes < 1) throw new IllegalArgumentException("bucket size must be positive, got " + bucketBytes);
        this.context = context;
        this.parameters = List.copyOf(trainable);
        this.buckets = layout(parameters, bucketBytes);
    }

    public int bucketCount() {
        return buckets.size();
    }

    /** Bytes one rank sends into the all-reduce per step (before the ring's 2·(n−1)/n factor). */
    public long bytesPerStep() {
        long total = 0;
        for (Tensor p : parameters) total += p.numel() * p.element_size();
        return total;
    }

    /** Every rank adopts rank 0's parameter values (call once before the first step so all ranks start identical). */
    public static void broadcastFromRankZero(DistributedContext context, List<Tensor> parameters, long bucketBytes) {
        if (context.worldSize() == 1) return;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            for (List<Integer> bucket : layout(parameters, bucketBytes)) {
                List<Tensor> members = new ArrayList<>();
                for (int i : bucket) members.add(parameters.get(i));
                Tensor flat = flatten(members);
                context.broadcast(flat, 0);
                unflatten(flat, members);
            }
        }
    }

    public void averageGradients() {
        if (context.worldSize() == 1) return;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            List<List<Tensor>> grads = new ArrayList<>();
            List<Tensor> flats = new ArrayList<>();
            for (List<Integer> bucket : buckets) {
                List<Tensor> g = new ArrayList<>();
                for (int i : bucket) g.add(gradientOf(parameters.get(i)));
                grads.add(g);
                flats.add(flatten(g));
            }
            context.allReduceSum(flats);
            Scalar ranks = new Scalar((double) context.worldSize());
            for (int b = 0; b < flats.size(); b++) {
                flats.get(b).div_(ranks);
                unflatten(flats.get(b), grads.get(b));
            }
        }
    }

    /** The parameter's gradient, created as zeros when backward did not reach it on this rank. */
    static Tensor gradientOf(Tensor p) {
        Tensor g = p.grad();
        if (g.defined()) return g;
        p.mutable_grad().put(torch.zeros_like(p));
        return p.grad();
    }

    /** Consecutive runs of parameters sharing dtype and device, cut when a bucket would exceed the size. */
    static List<List<Integer>> layout(List<Tensor> params, long bucketBytes) {
        List<List<Integer>> out = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        long bytes = 0;
        String kind = null;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            String k = p.scalar_type() + "@" + p.device().str().getString();
            long size = p.numel() * p.element_size();
            if (!current.isEmpty() && (!k.equals(kind) || bytes + size > bucketBytes)) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(i);
            bytes += size;
            kind = k;
        }
        if (!current.isEmpty()) out.add(current);
        return Collections.unmodifiableList(out);
    }

    static Tensor flatten(List<Tensor> tensors) {
        TensorVector views = new TensorVector();
        for (Tensor t : tensors) views.push_back(t.reshape(-1));
        return torch.cat(views);
    }

    static void unflatten(Tensor flat, List<Tensor> targets) {
        long offset = 0;
        for (Tensor t : targets) {
            long n = t.numel();
            t.copy_(flat.narrow(0, offset, n).view_as(t));
            offset += n;
        }
    }
}
