package dev.cogforge.core.dist;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import dev.cogforge.core.train.optim.AbstractOptimizer;
import dev.cogforge.core.train.optim.NamedParam;
import dev.cogforge.core.train.optim.Optimizer;
import dev.cogforge.core.train.optim.ParamGroup;

/**
 * ZeRO stage 1: every rank keeps the optimizer state (Adam moments, …) of only its own contiguous share of the
 * trainable parameters ({@link OptimizerPartition}), so that state costs {@code 1/W} of the unsharded amount per rank.
 *
 * <p>A step expects gradients already averaged over ranks and clipped with the global norm (every rank holds every
 * gradient). Each rank updates the parameters it owns, then each owner broadcasts its updated parameters to the
 * others in flat buckets of about {@code bucketBytes}, so all ranks hold identical weights again. Only optimizers
 * whose state is per parameter give the same result as unsharded (Adam/AdamW, 8-bit or not); Prodigy's step-size
 * estimate sums over all parameters and is refused by the config validator.
 *
 * <p>Checkpoints: {@link #saveShard} writes this rank's state to {@link #shardFileName}; rank 0 adds
 * {@link #saveIndex}. {@link #loadState} takes the state of the parameters this rank owns from any checkpoint, sharded
 * over any number of ranks or not sharded at all, since state is found by parameter name.
 */
public final class ShardedOptimizer implements Optimizer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShardedOptimizer.class);
    private final DistributedContext context;
    private final List<NamedParam> all;
    private final OptimizerPartition partition;
    private final AbstractOptimizer local;
    private final List<ParamGroup> groups;
    private final List<List<List<Integer>>> bucketsPerOwner;
    private boolean loggedState;

    /**
     * @param trainable every trainable parameter, the same list in the same order on every rank
     * @param create    builds the optimizer of this rank's share (called with a possibly empty list)
     */
    public ShardedOptimizer(DistributedContext context, List<NamedParam> trainable, Function<List<NamedParam>, Optimizer> create,
            long bucketBytes) {
        if (bucketBytes < 1) throw new IllegalArgumentException("bucket size must be positive, got " + bucketBytes);
        this.context = context;
        this.all = List.copyOf(trainable);
        long[] bytes = new long[all.size()];
        for (int i = 0; i < bytes.length; i++) bytes[i] = all.get(i).tensor().numel() * all.get(i).tensor().element_size();
        this.partition = OptimizerPartition.of(bytes, context.worldSize());
        OptimizerPartition.Range mine = partition.of(context.rank());
        Optimizer built = create.apply(all.subList(mine.from(), mine.to()));
        if (!(built instanceof AbstractOptimizer a)) {
            built.close();
            throw new IllegalArgumentException("optimizer '" + built.type() + "' cannot be sharded (its state is not saved per parameter)");
        }
        this.local = a;
        // the full list, so that callers iterating allParams() (zeroGrad, logging) see every trainable parameter
        List<ParamGroup> g = new ArrayList<>();
        for (ParamGroup pg : local.paramGroups()) g.add(new ParamGroup(all, pg.lr(), pg.weightDecay()));
        this.groups = Collections.unmodifiableList(g);
        List<List<List<Integer>>> buckets = new ArrayList<>();
        for (OptimizerPartition.Range r : partition.ranges()) buckets.add(buckets(r, bucketBytes));
        this.bucketsPerOwner = buckets;
    }

    public OptimizerPartition partition() {
        return partition;
    }

    /** The parameters whose state this rank keeps. */
    public List<NamedParam> ownParameters() {
        return local.allParams();
    }

    @Override
    public String type() {
        return local.type();
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    @Override
    public void step() {
        local.step();
        broadcastUpdates();
        logStateOnce();
    }

    /** After the first step, when the lazily created state has its full size. */
    private void logStateOnce() {
        if (loggedState) return;
        loggedState = true;
        LOG.info("optimizer state on this rank: {} MiB (sharded over {} ranks)",
                String.format(Locale.ROOT, "%.3f", stateBytes() / 1048576.0), context.worldSize());
    }

    @Override
    public void step(List<Tensor> grads) {
        if (grads.size() != all.size()) throw new IllegalArgumentException(grads.size() + " gradients for " + all.size() + " parameters");
        OptimizerPartition.Range mine = partition.of(context.rank());
        local.step(grads.subList(mine.from(), mine.to()));
        broadcastUpdates();
        logStateOnce();
    }

    /** Each owner sends its freshly updated parameters; the others overwrite their stale copies. */
    private void broadcastUpdates() {
        if (context.worldSize() == 1) return;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            for (int owner = 0; owner < bucketsPerOwner.size(); owner++) {
                for (List<Integer> bucket : bucketsPerOwner.get(owner)) {
                    TensorVector views = new TensorVector();
                    for (int i : bucket) views.push_back(all.get(i).tensor().reshape(-1));
                    Tensor flat = torch.cat(views);
                    context.broadcast(flat, owner);
                    if (owner == context.rank()) continue;
                    long offset = 0;
                    for (int i : bucket) {
                        Tensor p = all.get(i).tensor();
                        long n = p.numel();
                        p.copy_(flat.narrow(0, offset, n).view_as(p));
                        offset += n;
                    }
                }
            }
        }
    }

    /** The range's parameters in GradientSync's buckets (same dtype and device, cut at the size), as indices into all. */
    private List<List<Integer>> buckets(OptimizerPartition.Range range, long bucketBytes) {
        List<Tensor> members = new ArrayList<>();
        for (int i = range.from(); i < range.to(); i++) members.add(all.get(i).tensor());
        List<List<Integer>> out = new ArrayList<>();
        for (List<Integer> bucket : GradientSync.layout(members, bucketBytes)) {
            out.add(bucket.stream().map(i -> i + range.from()).toList());
        }
        return out;
    }

    /** Every rank's gradients, not only the owned ones: the next step accumulates into all of them. */
    @Override
    public void zeroGrad() {
        try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
            for (NamedParam p : all) {
                Tensor g = p.tensor().grad();
                if (g.defined()) g.zero_();
            }
        }
    }

    @Override
    public void setLr(double lr) {
        local.setLr(lr);
        for (ParamGroup g : groups) g.setLr(lr);
    }

    @Override
    public long stepCount() {
        return local.stepCount();
    }

    /** This rank's state only. */
    @Override
    public long stateBytes() {
        return local.stateBytes();
    }

    /** {@code optimizer-shard-00001-of-00004.safetensors}. */
    public static String shardFileName(int rank, int worldSize) {
        return String.format(Locale.ROOT, "optimizer-shard-%05d-of-%05d.safetensors", rank, worldSize);
    }

    /** Writes this rank's state to {@code dir/}{@link #shardFileName}. */
    public Path saveShard(Path dir) throws IOException {
        Path file = dir.resolve(shardFileName(context.rank(), context.worldSize()));
        java.nio.file.Files.createDirectories(dir);
        local.saveShard(file);
        return file;
    }

    /** Rank 0: {@code optimizer.json} naming every rank's shard file. */
    public void saveIndex(Path dir) throws IOException {
        List<String> files = new ArrayList<>();
        for (int r = 0; r < context.worldSize(); r++) files.add(shardFileName(r, context.worldSize()));
        local.saveShardIndex(dir, files, all.stream().map(NamedParam::name).toList());
    }

    /** Everything in one folder, for a single process holding all shards (tests, tools). */
    @Override
    public void saveState(Path dir) throws IOException {
        if (context.worldSize() > 1) {
            throw new IllegalStateException("a sharded optimizer's state is spread over " + context.worldSize()
                    + " ranks: each saves its shard with saveShard and rank 0 the index with saveIndex");
        }
        saveShard(dir);
        saveIndex(dir);
    }

    @Override
    public void loadState(Path dir) throws IOException {
        OptimizerPartition.Range mine = partition.of(context.rank());
        List<String> others = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) if (!mine.contains(i)) others.add(all.get(i).name());
        local.loadState(dir, others);
    }

    @Override
    public void close() {
        local.close();
    }
}
