package dev.cogforge.core.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without the launcher (torchrun / srun / Kubernetes start the ranks, rank 0 serves the store), a frozen rank is
 * caught by the other ranks' own heartbeat watchers: they stop with {@link Launcher#EXIT_PEER_FAILURE} and name it.
 */
class TorchrunStyleFaultTest {
    @TempDir
    Path out;

    @Test
    void survivingRankStopsAndNamesTheFrozenOne() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process[] ranks = new Process[2];
        long t0 = System.nanoTime();
        for (int r = 0; r < 2; r++) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    ToyTrainingWorker.class.getName(), out.toString(), "100000", "4096").redirectErrorStream(true);
            var env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("SLURM_"));
            env.putAll(java.util.Map.of("RANK", "" + r, "WORLD_SIZE", "2", "LOCAL_RANK", "" + r, "MASTER_ADDR", "127.0.0.1",
                    "MASTER_PORT", "" + port, "COGFORGE_THREADS", "1", "TOY_FREEZE_RANK", "1", "TOY_FREEZE_STEP", "2",
                    DistributedTimeouts.HEARTBEAT_INTERVAL_VAR, "300", DistributedTimeouts.HEARTBEAT_TIMEOUT_VAR, "3"));
            ranks[r] = pb.start();
        }
        try {
            assertTrue(ranks[0].waitFor(40, TimeUnit.SECONDS), "rank 0 did not stop by itself");
            double seconds = (System.nanoTime() - t0) / 1e9;
            String log = new String(ranks[0].getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.printf("torchrun-style freeze: rank 0 exited %d after %.2f s%n", ranks[0].exitValue(), seconds);
            assertEquals(Launcher.EXIT_PEER_FAILURE, ranks[0].exitValue(), log);
            assertTrue(log.contains("stopping this rank because rank 1 stopped heart-beating"), log);
            assertTrue(log.contains("last reported: full-sgd step 2"), log);
        } finally {
            for (Process p : ranks) p.destroyForcibly();
            for (Process p : ranks) p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
