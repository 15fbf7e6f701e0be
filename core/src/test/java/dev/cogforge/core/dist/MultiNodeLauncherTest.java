package dev.cogforge.core.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.io.SafetensorsFile;

/**
 * torchrun's multi-node mode on one machine: two launchers, each "node" starting one worker, node 0 serving the store
 * on a fixed port that node 1 connects to. The ranks form one job; a rank failing on one node stops the other node.
 */
class MultiNodeLauncherTest {
    @TempDir
    Path out;
    private final ExecutorService nodes = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        nodes.shutdownNow();
    }

    private Launcher.Config node(int nodeRank, int port, int steps, Map<String, String> env) {
        return Launcher.Config.of(1, ToyTrainingWorker.class.getName(), List.of(out.toString(), Integer.toString(steps), "4096"))
                .withTimeouts(new DistributedTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofMillis(300),
                        Duration.ofSeconds(10)), Duration.ofSeconds(60), Duration.ofSeconds(3))
                .withEnv(env)
                .withNodes(2, nodeRank, "127.0.0.1", port);
    }

    private Launcher.Result[] runBoth(int steps, Map<String, String> env) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Future<Launcher.Result> zero = nodes.submit(() -> new Launcher(node(0, port, steps, env), Launcher.Listener.printingTo(System.out)).run());
        Future<Launcher.Result> one = nodes.submit(() -> new Launcher(node(1, port, steps, env), Launcher.Listener.printingTo(System.out)).run());
        return new Launcher.Result[] {zero.get(3, TimeUnit.MINUTES), one.get(3, TimeUnit.MINUTES)};
    }

    @Test
    void twoNodesTrainAsOneJob() throws Exception {
        Launcher.Result[] r = runBoth(4, Map.of("COGFORGE_THREADS", "1"));
        System.out.println("node 0: " + r[0].message() + "; node 1: " + r[1].message());
        assertTrue(r[0].succeeded() && r[1].succeeded(), r[0].message() + " / " + r[1].message());
        // the ranks started from different random weights: equal results mean one job (broadcast + averaged gradients)
        for (String combo : ToyTrainingWorker.COMBOS) {
            try (SafetensorsFile a = SafetensorsFile.open(out.resolve(combo + ".safetensors"));
                 SafetensorsFile b = SafetensorsFile.open(out.resolve(combo + ".rank1.safetensors"))) {
                for (String name : a.names()) assertArrayEquals(a.readFloats(name), b.readFloats(name), combo + " " + name);
            }
        }
    }

    @Test
    void aRankFailingOnOneNodeStopsTheOtherNodeAndBothNameIt() throws Exception {
        long t0 = System.nanoTime();
        Launcher.Result[] r = runBoth(100_000, Map.of("COGFORGE_THREADS", "1", "TOY_HALT_RANK", "1", "TOY_HALT_STEP", "3"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("node 0: %s%nnode 1: %s%nafter %.2f s%n", r[0].message(), r[1].message(), seconds);
        for (Launcher.Result x : r) {
            assertFalse(x.succeeded());
            assertEquals(OptionalInt.of(1), x.failedRank());
            assertTrue(x.message().contains("rank 1 of 2 (node 1, local rank 0) failed: exited with code 42"), x.message());
        }
        assertTrue(r[0].message().endsWith("stopped the ranks of node 0"), r[0].message());
        assertTrue(seconds < 60, "took " + seconds + " s");
    }

    @Test
    void aMultiNodeJobNeedsAFixedPortAndAValidNodeRank() {
        Launcher.Config one = Launcher.Config.of(1, ToyTrainingWorker.class.getName(), List.of());
        IllegalArgumentException noPort = assertThrows(IllegalArgumentException.class, () -> one.withNodes(2, 0, "node0", 0));
        assertTrue(noPort.getMessage().contains("--master_port"), noPort.getMessage());
        assertThrows(IllegalArgumentException.class, () -> one.withNodes(2, 2, "node0", 29500));
        Launcher.Config second = one.withNodes(3, 2, "node0", 29500);
        assertEquals(3, second.worldSize());
        assertEquals(2, second.globalRank(0));
    }
}
