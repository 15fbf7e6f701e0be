package dev.cogforge.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class BucketBatchLoaderTest {
    static final Bucket A = new Bucket(9, 48, 80);
    static final Bucket B = new Bucket(17, 48, 48);

    static List<Bucket> samples() {
        List<Bucket> out = new ArrayList<>();
        for (int i = 0; i < 23; i++) out.add(i % 3 == 0 ? B : A);
        return out;
    }

    @Test
    void batchesAreBucketHomogeneousAndCoverEverySampleOncePerEpoch() {
        BucketBatchLoader loader = new BucketBatchLoader(samples(), 4, 7, false);
        List<BucketBatchLoader.Batch> epoch = loader.epochPlan(0);
        Set<Integer> seen = new HashSet<>();
        for (BucketBatchLoader.Batch b : epoch) {
            for (int s : b.samples()) {
                assertEquals(b.bucket(), samples().get(s));
                assertTrue(seen.add(s), "sample " + s + " twice in one epoch");
            }
        }
        assertEquals(23, seen.size());
        assertNotEquals(epoch.stream().map(BucketBatchLoader.Batch::samples).toList(),
                loader.epochPlan(1).stream().map(BucketBatchLoader.Batch::samples).toList(), "epochs reshuffle");
        assertEquals(epoch, new BucketBatchLoader(samples(), 4, 7, false).epochPlan(0), "same seed, same order");
        BucketBatchLoader dropping = new BucketBatchLoader(samples(), 4, 7, true);
        assertTrue(dropping.epochPlan(0).stream().allMatch(b -> b.samples().size() == 4));
    }

    @Test
    void resumingFromStateContinuesExactlyLikeTheUninterruptedRun() {
        BucketBatchLoader straight = new BucketBatchLoader(samples(), 3, 42, false);
        List<BucketBatchLoader.Batch> expected = new ArrayList<>();
        for (int i = 0; i < 25; i++) expected.add(straight.next());

        BucketBatchLoader first = new BucketBatchLoader(samples(), 3, 42, false);
        List<BucketBatchLoader.Batch> got = new ArrayList<>();
        for (int i = 0; i < 11; i++) got.add(first.next());
        BucketBatchLoader.State saved = first.state();
        BucketBatchLoader second = new BucketBatchLoader(samples(), 3, 42, false);
        second.restore(saved);
        for (int i = 11; i < 25; i++) got.add(second.next());
        assertEquals(expected, got);
        assertTrue(expected.get(24).epoch() >= 2, "test crosses epoch boundaries");
        assertThrows(IllegalArgumentException.class, () -> new BucketBatchLoader(samples(), 3, 43, false).restore(saved));
    }
}
