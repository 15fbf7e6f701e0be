package dev.cogforge.core.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Training batches that never mix buckets (tensors in a batch must share a shape). Each epoch shuffles the samples
 * within every bucket, cuts them into batches and shuffles the batch order, all from {@code seed} and the epoch
 * number only — so a run restored from {@link State} (epoch, position, seed) continues with exactly the batches the
 * uninterrupted run would have produced.
 */
public final class BucketBatchLoader {
    public record Batch(int epoch, int index, Bucket bucket, List<Integer> samples) {}

    /** Where the loader stands: the next batch is batch {@code position} of {@code epoch}. */
    public record State(int epoch, int position, long seed) {}

    private final List<Bucket> buckets;
    private final int batchSize;
    private final boolean dropLast;
    private final long seed;
    private int epoch;
    private int position;
    private List<Batch> plan;

    /**
     * @param sampleBuckets the bucket of each sample (sample i = index i, e.g. a cache manifest entry)
     * @param dropLast      drop each bucket's final partial batch (keeps batch sizes equal)
     */
    public BucketBatchLoader(List<Bucket> sampleBuckets, int batchSize, long seed, boolean dropLast) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        this.buckets = List.copyOf(sampleBuckets);
        this.batchSize = batchSize;
        this.dropLast = dropLast;
        this.seed = seed;
        if (batchesPerEpoch() == 0) {
            throw new IllegalArgumentException("no complete batch of " + batchSize + " in any bucket (" + buckets.size()
                    + " samples); lower the batch size or keep partial batches");
        }
    }

    public int batchesPerEpoch() {
        return epochPlan(0).size();
    }

    /** The batches of one epoch, in order (pure function of seed and epoch). */
    public List<Batch> epochPlan(int epochNumber) {
        Map<Bucket, List<Integer>> byBucket = new TreeMap<>();
        for (int i = 0; i < buckets.size(); i++) byBucket.computeIfAbsent(buckets.get(i), b -> new ArrayList<>()).add(i);
        // one generator per epoch, derived by mixing, so epoch k's order never depends on how far earlier epochs ran
        Random rng = new Random(mix(seed, epochNumber));
        List<List<Integer>> chunks = new ArrayList<>();
        List<Bucket> chunkBuckets = new ArrayList<>();
        for (var e : byBucket.entrySet()) {
            List<Integer> samples = new ArrayList<>(e.getValue());
            Collections.shuffle(samples, rng);
            for (int from = 0; from < samples.size(); from += batchSize) {
                int to = Math.min(samples.size(), from + batchSize);
                if (dropLast && to - from < batchSize) break;
                chunks.add(List.copyOf(samples.subList(from, to)));
                chunkBuckets.add(e.getKey());
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) order.add(i);
        Collections.shuffle(order, rng);
        List<Batch> out = new ArrayList<>(order.size());
        for (int k = 0; k < order.size(); k++) {
            int c = order.get(k);
            out.add(new Batch(epochNumber, k, chunkBuckets.get(c), chunks.get(c)));
        }
        return out;
    }

    private static long mix(long seed, int epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The next batch; rolls over into the next epoch. */
    public Batch next() {
        if (plan == null || plan.getFirst().epoch() != epoch) plan = epochPlan(epoch);
        Batch b = plan.get(position);
        position++;
        if (position == plan.size()) {
            epoch++;
            position = 0;
        }
        return b;
    }

    public State state() {
        return new State(epoch, position, seed);
    }

    /** Continues from a saved state; the seed must match the one this loader was built with. */
    public void restore(State state) {
        if (state.seed() != seed) {
            throw new IllegalArgumentException("loader state has seed " + state.seed() + " but this loader uses " + seed);
        }
        if (state.epoch() < 0 || state.position() < 0 || state.position() >= batchesPerEpoch()) {
            throw new IllegalArgumentException("loader state " + state + " is outside an epoch of " + batchesPerEpoch() + " batches");
        }
        epoch = state.epoch();
        position = state.position();
        plan = null;
    }
}
