package dev.cogforge.core.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.cogforge.core.io.SafetensorsFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Gloo ranks over 127.0.0.1 with batch 1 each must end where one process with batch 2 ends: the loss is a mean
 * over the batch and gradients are averaged over ranks, so both compute the same update.
 */
class DataParallelEquivalenceTest {
    static final int STEPS = 6;
    /** Tiny buckets so that several all-reduces per step are exercised. */
    static final long BUCKET_BYTES = 160;

    @TempDir
    Path out;

    @Test
    void twoRanksOfBatchOneMatchOneProcessOfBatchTwo() throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Launcher.Config config = Launcher.Config.of(2, ToyTrainingWorker.class.getName(),
                        List.of(out.toString(), Integer.toString(STEPS), Long.toString(BUCKET_BYTES)))
                .withTimeouts(new DistributedTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(500),
                        Duration.ofSeconds(10)), Duration.ofSeconds(60), Duration.ofSeconds(5))
                .withEnv(Map.of("COGFORGE_THREADS", "1"));
        long t0 = System.nanoTime();
        Launcher.Result result = new Launcher(config, new Launcher.Listener() {
            @Override
            public void line(int rank, String line) {
                lines.add("[rank " + rank + "] " + line);
                System.out.println("[rank " + rank + "] " + line);
            }
        }).run();
        System.out.printf("2-rank launch: %.2f s, %s%n", (System.nanoTime() - t0) / 1e9, result.message());
        assertTrue(result.succeeded(), result.message() + "\n" + String.join("\n", lines));
        assertTrue(lines.contains("[rank 1] done"), "worker output is prefixed with its rank");

        DistributedContext single = ProcessGroups.init(DistributedEnv.singleProcess(), CommBackend.GLOO, DistributedTimeouts.defaults());
        for (String combo : ToyTrainingWorker.COMBOS) {
            Map<String, float[]> reference = ToyTrainingWorker.train(single, combo, STEPS, BUCKET_BYTES);
            Map<String, float[]> initial = ToyTrainingWorker.train(single, combo, 0, BUCKET_BYTES);
            try (SafetensorsFile rank0 = SafetensorsFile.open(out.resolve(combo + ".safetensors"));
                 SafetensorsFile rank1 = SafetensorsFile.open(out.resolve(combo + ".rank1.safetensors"))) {
                double maxErr = 0;
                double maxMoved = 0;
                for (var e : reference.entrySet()) {
                    float[] got = rank0.readFloats(e.getKey());
                    assertArrayEquals(got, rank1.readFloats(e.getKey()), 0f, combo + " " + e.getKey() + ": ranks diverged");
                    float[] start = initial.get(e.getKey());
                    double moved = 0;
                    for (int i = 0; i < got.length; i++) {
                        maxErr = Math.max(maxErr, Math.abs(got[i] - e.getValue()[i]));
                        moved = Math.max(moved, Math.abs(got[i] - start[i]));
                    }
                    boolean trainable = !combo.startsWith("lora") || e.getKey().startsWith("lora_");
                    if (trainable) assertTrue(moved > 1e-3, combo + " " + e.getKey() + " did not train (moved " + moved + ")");
                    else assertEquals(0.0, moved, 0.0, combo + " frozen " + e.getKey() + " changed");
                    maxMoved = Math.max(maxMoved, moved);
                }
                System.out.printf("%s: max |2 ranks x batch 1 - 1 process x batch 2| = %.3g (weights moved up to %.3g)%n",
                        combo, maxErr, maxMoved);
                assertTrue(maxErr < 1e-5, combo + ": max abs error " + maxErr);
            }
        }
    }
}
