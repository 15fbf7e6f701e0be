package dev.cogforge.core.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rank that crashes or freezes mid-run stops the whole job within the timeout, and the report names it. */
class LauncherFaultTest {
    @TempDir
    Path out;

    private Launcher.Result launch(Map<String, String> env, Duration heartbeatTimeout) throws Exception {
        Launcher.Config config = Launcher.Config.of(2, ToyTrainingWorker.class.getName(), List.of(out.toString(), "100000", "4096"))
                .withTimeouts(new DistributedTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMillis(300),
                        heartbeatTimeout), Duration.ofSeconds(60), Duration.ofSeconds(3))
                .withEnv(env);
        return new Launcher(config, Launcher.Listener.printingTo(System.out)).run();
    }

    @Test
    void aCrashedRankStopsTheJobAndIsNamed() throws Exception {
        long t0 = System.nanoTime();
        Launcher.Result r = launch(Map.of("COGFORGE_THREADS", "1", "TOY_HALT_RANK", "1", "TOY_HALT_STEP", "3"), Duration.ofSeconds(10));
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("crash: %s after %.2f s; exit codes %s%n", r.message(), seconds, java.util.Arrays.toString(r.exitCodes()));
        assertFalse(r.succeeded());
        assertEquals(OptionalInt.of(1), r.failedRank());
        assertTrue(r.message().contains("rank 1 of 2 failed: exited with code 42 (last reported: full-sgd step 3)"), r.message());
        assertEquals(42, r.exitCodes()[1]);
        assertTrue(r.exitCodes()[0] != 0, "rank 0 must not report success");
        assertTrue(seconds < 25, "took " + seconds + " s");
    }

    @Test
    void aFrozenRankIsCaughtByItsHeartbeat() throws Exception {
        long t0 = System.nanoTime();
        Launcher.Result r = launch(Map.of("COGFORGE_THREADS", "1", "TOY_FREEZE_RANK", "1", "TOY_FREEZE_STEP", "3"), Duration.ofSeconds(3));
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("freeze: %s after %.2f s; exit codes %s%n", r.message(), seconds, java.util.Arrays.toString(r.exitCodes()));
        assertFalse(r.succeeded());
        assertEquals(OptionalInt.of(1), r.failedRank());
        assertTrue(r.message().contains("stopped heart-beating"), r.message());
        assertTrue(r.message().contains("full-sgd step 3"), "the report says where the rank was: " + r.message());
        assertTrue(seconds < 25, "took " + seconds + " s");
    }
}
