package dev.cogforge.core.dist;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Deterministic, bucket-aware split of a cached dataset across ranks.
 *
 * <p>Per epoch one global sequence of batches is built from the seed and the epoch alone (never the world size):
 * items are grouped by bucket key (equal frame count / resolution, so a batch stacks), put in the order of one seeded
 * permutation, cut into batches of {@code batchSize} — a bucket's last batch is filled up by repeating that bucket's
 * items — and the batches are ordered by the permutation too (see {@link #globalBatches}). A training step consumes the next {@code worldSize} batches of that sequence, one per
 * rank, so rank {@code r} gets batches {@code c+r, c+r+W, …} from the current position {@code c}. When the remaining
 * batches do not divide by {@code W}, the tail is padded by repeating the remaining batches from their start (as
 * PyTorch's DistributedSampler does), so every rank runs the same number of steps and no collective waits forever.
 *
 * <p>Because the position is counted in the world-size-free global sequence, a run saved at
 * {@link Position} with 4 processes resumes with 2 (or 8) and continues with exactly the batches not yet seen.
 */
public final class ShardedSampler {

    /** One cached sample and the bucket it stacks with. */
    public record Item(String id, String bucketKey) {
        public Item {
            if (id == null || id.isBlank()) throw new IllegalArgumentException("item id must not be blank");
            if (bucketKey == null) throw new IllegalArgumentException("item '" + id + "' has no bucket key");
        }
    }

    /** Where training stands: global batches already consumed in this epoch. Saved in checkpoints. */
    public record Position(long epoch, long consumedBatches) {
        public Position {
            if (epoch < 0 || consumedBatches < 0) throw new IllegalArgumentException("position must not be negative: " + epoch + "/" + consumedBatches);
        }

        public static Position start() {
            return new Position(0, 0);
        }
    }

    /** The batches of one rank from a position to the end of that epoch. */
    public record Shard(Position start, int rank, int worldSize, long batchesInEpoch, List<List<String>> batches) {
        /**
         * Index of this rank's {@code k}-th batch in the epoch's global sequence, counting the tail padding on past the
         * epoch's end (so a repeated batch gets an index of its own); independent of how the job is split.
         */
        public long globalIndex(int k) {
            return start.consumedBatches() + (long) k * worldSize + rank;
        }

        /** Where the job stands after {@code steps} steps of this shard (all ranks step together). */
        public Position positionAfter(long steps) {
            if (steps < 0 || steps > batches.size()) throw new IllegalArgumentException("steps " + steps + " outside [0, " + batches.size() + "]");
            long consumed = start.consumedBatches() + steps * worldSize;
            return consumed >= batchesInEpoch ? new Position(start.epoch() + 1, 0) : new Position(start.epoch(), consumed);
        }
    }

    private final Map<String, List<String>> idsByBucket;
    private final int batchSize;
    private final long seed;
    private final int batchesPerEpoch;

    public ShardedSampler(List<Item> items, int batchSize, long seed) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (items.isEmpty()) throw new IllegalArgumentException("the dataset has no items to sample");
        Set<String> seen = new HashSet<>();
        Map<String, List<String>> byBucket = new TreeMap<>();
        for (Item it : items) {
            if (!seen.add(it.id())) throw new IllegalArgumentException("item id '" + it.id() + "' appears twice in the dataset");
            byBucket.computeIfAbsent(it.bucketKey(), k -> new ArrayList<>()).add(it.id());
        }
        // The caller's list order must not matter: sort, so the shuffle alone decides the order.
        int batches = 0;
        for (var e : byBucket.entrySet()) {
            e.getValue().sort(Comparator.naturalOrder());
            e.setValue(List.copyOf(e.getValue()));
            batches += (e.getValue().size() + batchSize - 1) / batchSize;
        }
        this.idsByBucket = Collections.unmodifiableMap(byBucket);
        this.batchSize = batchSize;
        this.seed = seed;
        this.batchesPerEpoch = batches;
    }

    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Steps every rank runs from {@code position} to the end of its epoch. */
    public long stepsLeftInEpoch(Position position, int worldSize) {
        long remaining = batchesPerEpoch - normalise(position).consumedBatches();
        return (remaining + worldSize - 1) / worldSize;
    }

    /**
     * The epoch's batch sequence before sharding; identical for every world size. One permutation of all items comes
     * from {@code (seed, epoch)}; each bucket's items are cut into batches in that permutation's order, and the batches
     * are ordered by where their first item sits in it. With a single bucket the items therefore appear in the same
     * order whatever the batch size, so {@code N ranks × batch b} sees exactly the samples of {@code 1 process ×
     * batch N·b} at every step.
     */
    public List<List<String>> globalBatches(long epoch) {
        SplittableRandom rng = new SplittableRandom(mix(seed, epoch));
        List<String> permutation = new ArrayList<>();
        for (List<String> ids : idsByBucket.values()) permutation.addAll(ids);
        shuffle(permutation, rng);
        Map<String, Integer> rankOf = new java.util.HashMap<>();
        for (int i = 0; i < permutation.size(); i++) rankOf.put(permutation.get(i), i);
        List<List<String>> batches = new ArrayList<>(batchesPerEpoch);
        for (List<String> ids : idsByBucket.values()) {
            List<String> order = new ArrayList<>(ids);
            order.sort(Comparator.comparing(rankOf::get));
            for (int from = 0; from < order.size(); from += batchSize) {
                List<String> batch = new ArrayList<>(batchSize);
                for (int j = 0; j < batchSize; j++) batch.add(order.get((from + j) % order.size()));
                batches.add(List.copyOf(batch));
            }
        }
        batches.sort(Comparator.comparing(b -> rankOf.get(b.getFirst())));
        return Collections.unmodifiableList(batches);
    }

    public Shard shard(Position position, int rank, int worldSize) {
        if (worldSize < 1) throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
        if (rank < 0 || rank >= worldSize) throw new IllegalArgumentException("rank " + rank + " is outside [0, " + worldSize + ")");
        Position p = normalise(position);
        List<List<String>> global = globalBatches(p.epoch());
        int consumed = (int) p.consumedBatches();
        int remaining = batchesPerEpoch - consumed;
        int steps = (remaining + worldSize - 1) / worldSize;
        List<List<String>> mine = new ArrayList<>(steps);
        for (int k = 0; k < steps; k++) {
            int offset = k * worldSize + rank;
            mine.add(global.get(consumed + offset % remaining));
        }
        return new Shard(p, rank, worldSize, batchesPerEpoch, Collections.unmodifiableList(mine));
    }

    /** A position at or past the epoch's end is the start of the next epoch. */
    private Position normalise(Position p) {
        if (p.consumedBatches() >= batchesPerEpoch) return new Position(p.epoch() + 1, 0);
        return p;
    }

    private static <T> void shuffle(List<T> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) Collections.swap(list, i, rng.nextInt(i + 1));
    }

    private static long mix(long seed, long epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
