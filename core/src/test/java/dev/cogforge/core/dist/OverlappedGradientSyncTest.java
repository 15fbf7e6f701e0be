package dev.cogforge.core.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.cogforge.core.train.DdpOverlapWorker;

/**
 * Two Gloo ranks, gradient checkpointing, accumulation 2: the gradients averaged by the overlapped all-reduce (buckets
 * started block by block during the last micro-step's backward) equal those of the bucketed all-reduce after backward.
 */
class OverlappedGradientSyncTest {
    private static final Pattern VERIFY = Pattern.compile(
            "verify max_abs_diff=(\\S+) changed_by_sync=(\\S+) max_abs_grad=(\\S+) started_during_backward=(\\d+)/(\\d+)");

    @ParameterizedTest
    @ValueSource(strings = {"4", "0"}) // LoRA rank 4, full fine-tuning
    void overlappedAveragesEqualAfterBackwardAverages(String loraRank) throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        // 2 layers, 2 heads x 16, 2 x 8 x 8 latents; 4 KB buckets so that a step has several
        Launcher.Config config = Launcher.Config.of(2, DdpOverlapWorker.class.getName(),
                        List.of("verify", "2", "2", "16", "2", "8", "8", loraRank, "2", "1", "4096"))
                .withTimeouts(new DistributedTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(500),
                        Duration.ofSeconds(10)), Duration.ofSeconds(60), Duration.ofSeconds(5))
                .withEnv(Map.of("COGFORGE_THREADS", "1"));
        long t0 = System.nanoTime();
        Launcher.Result result = new Launcher(config, new Launcher.Listener() {
            @Override
            public void line(int rank, String line) {
                lines.add(line);
                System.out.println("[rank " + rank + "] " + line);
            }
        }).run();
        System.out.printf("lora rank %s: 2-rank launch %.2f s, %s%n", loraRank, (System.nanoTime() - t0) / 1e9, result.message());
        assertTrue(result.succeeded(), result.message() + "\n" + String.join("\n", lines));
        int verified = 0;
        for (String line : lines) {
            Matcher m = VERIFY.matcher(line);
            if (!m.matches()) continue;
            verified++;
            double diff = Double.parseDouble(m.group(1));
            double changed = Double.parseDouble(m.group(2));
            double maxGrad = Double.parseDouble(m.group(3));
            int started = Integer.parseInt(m.group(4));
            int buckets = Integer.parseInt(m.group(5));
            assertTrue(diff <= 1e-7, "overlapped and after-backward averages differ by " + diff);
            assertTrue(maxGrad > 1e-6, "no gradient reached the parameters (max " + maxGrad + ")");
            assertTrue(changed > 1e-7, "the all-reduce left the local gradients unchanged: ranks had identical data?");
            assertTrue(buckets >= 2, "expected several buckets, got " + buckets);
            assertTrue(started > 0, "no bucket started while backward was still running (of " + buckets + ")");
        }
        assertEquals(2, verified, "one verify line per rank:\n" + String.join("\n", lines));
    }
}
