package dev.cogforge.core.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ShardedSamplerTest {
    /** 3 buckets of 10, 7 and 5 items; with batch 2 that is 5 + 4 + 3 = 12 batches (two padded). */
    static List<ShardedSampler.Item> dataset() {
        List<ShardedSampler.Item> items = new ArrayList<>();
        int[] sizes = {10, 7, 5};
        for (int b = 0; b < sizes.length; b++) {
            for (int i = 0; i < sizes[b]; i++) items.add(new ShardedSampler.Item("b" + b + "-" + i, "49x480x720@" + b));
        }
        return items;
    }

    static String bucketOf(String id) {
        return id.substring(0, id.indexOf('-'));
    }

    @Test
    void everyBatchStaysInOneBucketAndAnEpochCoversEveryItem() {
        ShardedSampler s = new ShardedSampler(dataset(), 2, 42);
        assertEquals(12, s.batchesPerEpoch());
        List<List<String>> global = s.globalBatches(0);
        Set<String> seen = new HashSet<>();
        for (List<String> batch : global) {
            assertEquals(2, batch.size());
            assertEquals(1, batch.stream().map(ShardedSamplerTest::bucketOf).distinct().count(), "mixed buckets in " + batch);
            seen.addAll(batch);
        }
        assertEquals(22, seen.size());
        assertNotEquals(global, s.globalBatches(1), "epochs are reshuffled");
        assertEquals(global, new ShardedSampler(shuffled(dataset()), 2, 42).globalBatches(0), "input order does not matter");
    }

    @Test
    void shardsAreDisjointEqualInLengthAndTogetherTheEpoch() {
        ShardedSampler s = new ShardedSampler(dataset(), 2, 42);
        for (int world : new int[] {1, 2, 3, 4, 5}) {
            List<List<List<String>>> shards = new ArrayList<>();
            for (int r = 0; r < world; r++) shards.add(s.shard(ShardedSampler.Position.start(), r, world).batches());
            int steps = shards.get(0).size();
            assertEquals((12 + world - 1) / world, steps);
            for (List<List<String>> shard : shards) assertEquals(steps, shard.size(), "equal number of batches per rank, world " + world);
            // In global order: step k, rank r is global batch k*W+r; the first 12 are the epoch exactly once.
            List<List<String>> global = s.globalBatches(0);
            List<List<String>> interleaved = new ArrayList<>();
            for (int k = 0; k < steps; k++) for (int r = 0; r < world; r++) interleaved.add(shards.get(r).get(k));
            assertEquals(global, interleaved.subList(0, 12), "world " + world);
            int padding = steps * world - 12;
            assertEquals(global.subList(0, padding), interleaved.subList(12, 12 + padding), "padding repeats from the start");
            if (world <= 2 || 12 % world == 0) {
                Set<List<String>> union = new HashSet<>();
                for (List<List<String>> shard : shards) for (List<String> b : shard) assertTrue(union.add(b), "batch on two ranks: " + b);
            }
        }
    }

    @Test
    void resumingWithAnotherWorldSizeContinuesWithExactlyTheUnseenBatches() {
        ShardedSampler s = new ShardedSampler(dataset(), 2, 7);
        // 4 ranks run 2 steps (8 of 12 global batches), checkpoint, then 3 ranks resume.
        List<List<String>> seen = new ArrayList<>();
        ShardedSampler.Shard first = s.shard(ShardedSampler.Position.start(), 0, 4);
        for (int k = 0; k < 2; k++) for (int r = 0; r < 4; r++) seen.add(s.shard(ShardedSampler.Position.start(), r, 4).batches().get(k));
        ShardedSampler.Position saved = first.positionAfter(2);
        assertEquals(new ShardedSampler.Position(0, 8), saved);

        List<List<String>> after = new ArrayList<>();
        int steps = (int) s.stepsLeftInEpoch(saved, 3);
        assertEquals(2, steps);
        for (int k = 0; k < steps; k++) for (int r = 0; r < 3; r++) after.add(s.shard(saved, r, 3).batches().get(k));
        List<List<String>> all = new ArrayList<>(seen);
        all.addAll(after.subList(0, 4));
        assertEquals(s.globalBatches(0), all, "no batch skipped or repeated across the resume");
        assertEquals(after.subList(0, 2), after.subList(4, 6), "the last step is padded from the remaining batches");

        ShardedSampler.Shard resumed = s.shard(saved, 0, 3);
        assertEquals(new ShardedSampler.Position(1, 0), resumed.positionAfter(steps), "the epoch rolls over");
        assertEquals(s.globalBatches(1).get(1), s.shard(resumed.positionAfter(steps), 1, 3).batches().get(0));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new ShardedSampler(List.of(), 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ShardedSampler(
                List.of(new ShardedSampler.Item("a", "x"), new ShardedSampler.Item("a", "y")), 1, 0));
        ShardedSampler s = new ShardedSampler(dataset(), 2, 1);
        assertThrows(IllegalArgumentException.class, () -> s.shard(ShardedSampler.Position.start(), 2, 2));
    }

    private static List<ShardedSampler.Item> shuffled(List<ShardedSampler.Item> items) {
        List<ShardedSampler.Item> copy = new ArrayList<>(items);
        Collections.reverse(copy);
        return copy;
    }
}
