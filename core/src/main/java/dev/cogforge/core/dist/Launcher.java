package dev.cogforge.core.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.cogforge.core.engine.Engine;

import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;

/**
 * Starts N worker JVMs on this machine as one data-parallel job and supervises them (what {@code torchrun} does for
 * Python). The launcher hosts the rendezvous store itself, so it can read every rank's heartbeat even while rank 0 is
 * busy or dead. Each worker gets {@code RANK}, {@code WORLD_SIZE}, {@code LOCAL_RANK}, {@code LOCAL_WORLD_SIZE},
 * {@code MASTER_ADDR}, {@code MASTER_PORT}, the timeouts, and a share of the CPU threads.
 *
 * <p>When a worker exits non-zero, or its heartbeat stalls past the timeout, or it never joins within the startup
 * timeout, the launcher stops all others (SIGTERM, then SIGKILL after a grace period) and returns a {@link Result}
 * naming the failed rank. Workers that merely noticed a lost peer exit with {@link #EXIT_PEER_FAILURE}; the launcher
 * then waits briefly for the rank that failed first, so the report names the cause rather than a bystander.
 */
public final class Launcher {
    /** Exit status of a worker that stopped because another rank failed (EX_TEMPFAIL). */
    public static final int EXIT_PEER_FAILURE = 75;

    /** How the launcher tells the studio or the console what happens. Called from launcher threads. */
    public interface Listener {
        default void started(int rank, long pid) {}

        default void line(int rank, String line) {}

        default void failed(int rank, String reason) {}

        /** Rank 0's lines as they are (its progress is the job's), other ranks' prefixed with {@code [rank k]}. */
        static Listener rankZeroPlain(java.io.PrintWriter out) {
            return new Listener() {
                @Override
                public void line(int rank, String line) {
                    synchronized (out) {
                        out.println(rank == 0 ? line : "[rank " + rank + "] " + line);
                        out.flush();
                    }
                }
            };
        }

        /** Prints every worker line prefixed with {@code [rank k]}, and failures, to {@code out}. */
        static Listener printingTo(PrintStream out) {
            return new Listener() {
                @Override
                public void line(int rank, String line) {
                    out.println("[rank " + rank + "] " + line);
                }

                @Override
                public void failed(int rank, String reason) {
                    out.println("[launcher] rank " + rank + " failed: " + reason);
                }
            };
        }
    }

    /**
     * @param masterPort    0 picks a free port
     * @param startupTimeout how long a worker may take to send its first heartbeat (JVM start, libtorch load, rendezvous)
     * @param shutdownGrace  how long workers get to exit after SIGTERM before SIGKILL
     */
    public record Config(int processes, String mainClass, List<String> args, List<String> jvmArgs, String classpath,
                         Map<String, String> extraEnv, DistributedTimeouts timeouts, Duration startupTimeout,
                         Duration shutdownGrace, String masterAddr, int masterPort, int nodes, int nodeRank) {
        public Config {
            if (processes < 1) throw new IllegalArgumentException("--nproc must be >= 1, got " + processes);
            Objects.requireNonNull(mainClass, "mainClass");
            args = List.copyOf(args);
            jvmArgs = List.copyOf(jvmArgs);
            extraEnv = Map.copyOf(extraEnv);
            Objects.requireNonNull(timeouts, "timeouts");
            if (masterPort < 0 || masterPort > 65535) throw new IllegalArgumentException("master port " + masterPort + " is not a TCP port");
            if (nodes < 1) throw new IllegalArgumentException("--nnodes must be >= 1, got " + nodes);
            if (nodeRank < 0 || nodeRank >= nodes) {
                throw new IllegalArgumentException("--node_rank must be in 0.." + (nodes - 1) + " for --nnodes " + nodes + ", got " + nodeRank);
            }
            if (nodes > 1 && masterPort == 0) {
                throw new IllegalArgumentException("with --nnodes " + nodes + " every node's launcher must know the store's port:"
                        + " give the same --master_port (e.g. 29500) on every node");
            }
        }

        /** All ranks of the job, on every node. */
        public int worldSize() {
            return processes * nodes;
        }

        /** The global rank of this node's {@code localRank}-th worker. */
        public int globalRank(int localRank) {
            return nodeRank * processes + localRank;
        }

        /**
         * One node of a job on {@code nodes} machines (torchrun's {@code --nnodes/--node_rank/--master_addr/--master_port}):
         * node 0's launcher serves the rendezvous store at {@code masterAddr:masterPort}, the others connect to it; each
         * starts its {@code processes} workers as global ranks {@code nodeRank·processes …}.
         */
        public Config withNodes(int nodes, int nodeRank, String masterAddr, int masterPort) {
            return new Config(processes, mainClass, args, jvmArgs, classpath, extraEnv, timeouts, startupTimeout, shutdownGrace,
                    masterAddr, masterPort, nodes, nodeRank);
        }

        /** Workers run {@code mainClass} on this JVM's class path, with this JVM's native-access flag. */
        public static Config of(int processes, String mainClass, List<String> args) {
            return new Config(processes, mainClass, args, List.of("--enable-native-access=ALL-UNNAMED"),
                    System.getProperty("java.class.path"), Map.of(), DistributedTimeouts.defaults(), Duration.ofMinutes(2),
                    Duration.ofSeconds(10), "127.0.0.1", 0, 1, 0);
        }

        public Config withTimeouts(DistributedTimeouts t, Duration startup, Duration grace) {
            return new Config(processes, mainClass, args, jvmArgs, classpath, extraEnv, t, startup, grace, masterAddr, masterPort, nodes, nodeRank);
        }

        public Config withEnv(Map<String, String> env) {
            return new Config(processes, mainClass, args, jvmArgs, classpath, env, timeouts, startupTimeout, shutdownGrace, masterAddr, masterPort, nodes, nodeRank);
        }

        public Config withJvmArgs(List<String> jvm) {
            return new Config(processes, mainClass, args, jvm, classpath, extraEnv, timeouts, startupTimeout, shutdownGrace, masterAddr, masterPort, nodes, nodeRank);
        }
    }

    /** How the job ended. {@code exitCodes[r]} is -1 for a rank the launcher had to kill. */
    public record Result(int exitCode, OptionalInt failedRank, String message, int[] exitCodes) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    private final Config config;
    private final Listener listener;
    private volatile String stopRequest;

    public Launcher(Config config, Listener listener) {
        this.config = config;
        this.listener = listener;
    }

    /** Asks a running {@link #run()} to stop all workers (the studio's Stop button). */
    public void requestStop(String why) {
        stopRequest = why;
    }

    public Result run() throws IOException {
        Engine.ensureLoaded();
        int n = config.processes();
        TCPStore store = config.nodeRank() == 0 ? serveStore() : joinStore();
        int port = config.nodeRank() == 0 ? Short.toUnsignedInt(store.getPort()) : config.masterPort();
        Process[] workers = new Process[n];
        Thread[] pumps = new Thread[n];
        Thread cleanup = new Thread(() -> killAll(workers, -1));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            for (int r = 0; r < n; r++) {
                workers[r] = start(r, port);
                listener.started(config.globalRank(r), workers[r].pid());
                pumps[r] = pump(config.globalRank(r), workers[r]);
            }
            Result result = supervise(workers, store);
            for (Thread p : pumps) if (p != null) p.join(config.shutdownGrace().toMillis());
            if (result.succeeded() && config.nodes() > 1) awaitOtherNodes(store);
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killAll(workers, -1);
            return new Result(130, OptionalInt.empty(), "launcher interrupted; all workers stopped", new int[n]);
        } finally {
            killAll(workers, -1);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook itself is running; nothing to remove
            }
            store.close();
        }
    }

    private TCPStore serveStore() {
        TCPStoreOptions o = new TCPStoreOptions();
        o.port((short) config.masterPort());
        o.isServer(true);
        o.waitWorkers(false);
        o.timeout(new Milliseconds(config.timeouts().rendezvous().toMillis()));
        try {
            return new TCPStore(config.masterAddr(), o);
        } catch (RuntimeException e) {
            throw new DistributedException("cannot serve the rendezvous store on " + config.masterAddr() + ":"
                    + config.masterPort() + ": " + e.getMessage(), false, e);
        }
    }

    /** Nodes other than 0 use the store node 0's launcher serves; it may start a little later, so keep trying. */
    private TCPStore joinStore() {
        TCPStoreOptions o = new TCPStoreOptions();
        o.port((short) config.masterPort());
        o.isServer(false);
        o.waitWorkers(false);
        o.timeout(new Milliseconds(config.timeouts().rendezvous().toMillis()));
        try {
            return new TCPStore(config.masterAddr(), o);
        } catch (RuntimeException e) {
            throw new DistributedException("node " + config.nodeRank() + " cannot reach the rendezvous store at " + config.masterAddr()
                    + ":" + config.masterPort() + " that node 0's launcher serves (waited up to "
                    + seconds(config.timeouts().rendezvous().toNanos()) + "; is node 0 started with the same --master_port, and is the"
                    + " port open between the machines?): " + e.getMessage(), false, e);
        }
    }

    /**
     * Node 0 serves the store every node's launcher and ranks use; it keeps serving until the other nodes' launchers say
     * their ranks finished too (bounded by the heartbeat timeout), so a slower node never loses the store at its end.
     */
    private void awaitOtherNodes(TCPStore store) {
        try {
            store.set(StoreKeys.nodeDone(config.nodeRank()), "1");
            if (config.nodeRank() != 0) return;
            org.bytedeco.pytorch.StringVector others = new org.bytedeco.pytorch.StringVector();
            for (int k = 1; k < config.nodes(); k++) others.push_back(StoreKeys.nodeDone(k));
            store._wait(others, new Milliseconds(config.timeouts().heartbeatTimeout().toMillis()));
        } catch (RuntimeException timedOutOrGone) {
            // the job is over on this node either way; a node still running will report its own end
        }
    }

    private Process start(int rank, int port) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(config.jvmArgs());
        cmd.add("-cp");
        cmd.add(config.classpath());
        cmd.add(config.mainClass());
        cmd.addAll(config.args());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        // N JVMs each using every core would thrash; give each its share unless the user chose.
        String threads = Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors() / config.processes()));
        int globalRank = config.globalRank(rank);
        if (!env.containsKey("COGFORGE_THREADS")) env.put("COGFORGE_THREADS", threads);
        if (!env.containsKey("OMP_NUM_THREADS")) env.put("OMP_NUM_THREADS", threads);
        env.putAll(config.timeouts().asEnv());
        env.putAll(config.extraEnv());
        env.put("RANK", Integer.toString(globalRank));
        env.put("WORLD_SIZE", Integer.toString(config.worldSize()));
        env.put("LOCAL_RANK", Integer.toString(rank));
        env.put("LOCAL_WORLD_SIZE", Integer.toString(config.processes()));
        env.put("MASTER_ADDR", config.masterAddr());
        env.put("MASTER_PORT", Integer.toString(port));
        env.put(DistributedEnv.LAUNCHER_STORE_VAR, "1");
        env.remove("SLURM_PROCID");
        return pb.start();
    }

    private Thread pump(int rank, Process p) {
        return Thread.ofPlatform().daemon().name("cogforge-launcher-out-rank" + rank).start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) listener.line(rank, line);
            } catch (IOException e) {
                // the stream closes when the worker is killed
            }
        });
    }

    private Result supervise(Process[] workers, TCPStore store) throws InterruptedException {
        int n = workers.length;
        int world = config.worldSize();
        int[] exitCodes = new int[n];
        Arrays.fill(exitCodes, Integer.MIN_VALUE);
        // heartbeat counters by global rank: this node's ranks, and in a multi-node job the others' too
        long[] lastBeat = new long[world];
        long[] lastChange = new long[world];
        long startedAt = System.nanoTime();
        Arrays.fill(lastChange, startedAt);
        long pollMillis = Math.max(20, Math.min(500, config.timeouts().heartbeatInterval().toMillis() / 2));
        long heartbeatNanos = config.timeouts().heartbeatTimeout().toNanos();
        long startupNanos = config.startupTimeout().toNanos();
        int bystanderRank = -1;
        String bystanderReason = null;
        long bystanderSince = 0;

        while (true) {
            awaitAnyExit(workers, exitCodes, pollMillis);
            long now = System.nanoTime();
            for (int r = 0; r < n; r++) {
                if (exitCodes[r] != Integer.MIN_VALUE || workers[r].isAlive()) continue;
                int code = workers[r].exitValue();
                exitCodes[r] = code;
                if (code == 0) continue;
                int g = config.globalRank(r);
                String reason = describeExit(code) + lastProgress(store, g);
                if (code == EXIT_PEER_FAILURE) {
                    if (bystanderRank < 0) {
                        bystanderRank = g;
                        bystanderReason = reason;
                        bystanderSince = now;
                    }
                    continue;
                }
                return fail(workers, exitCodes, store, g, reason, -1);
            }
            if (Arrays.stream(exitCodes).allMatch(c -> c == 0)) {
                String where = config.nodes() > 1 ? " on node " + config.nodeRank() + " of " + config.nodes() : "";
                return new Result(0, OptionalInt.empty(), "all " + n + " ranks finished" + where, exitCodes);
            }
            if (config.nodes() > 1) {
                Result remote = remoteFailure(workers, exitCodes, store);
                if (remote != null) return remote;
            }
            // A bystander's peer usually dies at the same moment; give its exit a moment to arrive.
            if (bystanderRank >= 0 && now - bystanderSince > Math.min(heartbeatNanos, TimeUnit.SECONDS.toNanos(3))) {
                return fail(workers, exitCodes, store, bystanderRank, bystanderReason + " (it lost contact with another rank;"
                        + " no other rank reported an error first)", -1);
            }
            String stop = stopRequest;
            if (stop != null) {
                killAll(workers, -1);
                recordExits(workers, exitCodes);
                return new Result(130, OptionalInt.empty(), "stopped: " + stop, exitCodes);
            }
            for (int g = 0; g < world; g++) {
                boolean local = g / config.processes() == config.nodeRank();
                int r = g - config.nodeRank() * config.processes();
                if (local && exitCodes[r] != Integer.MIN_VALUE) continue;
                long beats;
                try {
                    beats = store.add(StoreKeys.heartbeat(g), 0);
                } catch (RuntimeException e) {
                    continue;
                }
                if (beats != lastBeat[g]) {
                    lastBeat[g] = beats;
                    lastChange[g] = now;
                } else if (local && beats == 0 && now - startedAt > startupNanos) {
                    return fail(workers, exitCodes, store, g, "did not join the job within " + seconds(startupNanos)
                            + " (no heartbeat: the JVM did not start, libtorch did not load, or rendezvous failed)", r);
                } else if (beats > 0 && now - lastChange[g] > heartbeatNanos && (local || !finished(store, g))) {
                    String what = local ? " (timeout " + seconds(heartbeatNanos) + "; the process is frozen or its machine is overloaded)"
                            : " (timeout " + seconds(heartbeatNanos) + "; its process, launcher or machine is gone)";
                    return fail(workers, exitCodes, store, g, "stopped heart-beating for " + seconds(now - lastChange[g]) + what
                            + lastProgress(store, g), local ? r : -1);
                }
            }
        }
    }

    /** A remote rank's heartbeat stops when its node finished normally; that is not a failure. */
    private boolean finished(TCPStore store, int globalRank) {
        try {
            return store.check(new org.bytedeco.pytorch.StringVector(StoreKeys.nodeDone(globalRank / config.processes())));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Another node's launcher published a failure: stop this node's ranks and report that rank as the cause. */
    private Result remoteFailure(Process[] workers, int[] exitCodes, TCPStore store) {
        String published;
        try {
            if (!store.check(new org.bytedeco.pytorch.StringVector(StoreKeys.JOB_FAILURE))) return null;
            published = new String(store.get(StoreKeys.JOB_FAILURE).get(), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return null;
        }
        int bar = published.indexOf('|');
        int rank = Integer.parseInt(published.substring(0, bar));
        String message = published.substring(bar + 1);
        listener.failed(rank, message);
        killAll(workers, -1);
        recordExits(workers, exitCodes);
        return new Result(1, OptionalInt.of(rank), message + "; stopped the ranks of node " + config.nodeRank(), exitCodes);
    }

    private void awaitAnyExit(Process[] workers, int[] exitCodes, long millis) throws InterruptedException {
        List<CompletableFuture<Process>> running = new ArrayList<>();
        for (int r = 0; r < workers.length; r++) if (exitCodes[r] == Integer.MIN_VALUE) running.add(workers[r].onExit());
        if (running.isEmpty()) return;
        try {
            CompletableFuture.anyOf(running.toArray(CompletableFuture[]::new)).get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // poll tick: go check heartbeats
        }
    }

    private Result fail(Process[] workers, int[] exitCodes, TCPStore store, int rank, String reason, int unresponsiveLocalRank) {
        listener.failed(rank, reason);
        String message = describeRank(rank) + " failed: " + reason;
        if (config.nodes() > 1) {
            try {
                // first failure wins: a later one is a consequence of it
                store.compareSet(StoreKeys.JOB_FAILURE, "", rank + "|" + message);
            } catch (RuntimeException storeGone) {
                // the other nodes find out through their ranks' broken collectives
            }
        }
        killAll(workers, unresponsiveLocalRank);
        recordExits(workers, exitCodes);
        return new Result(1, OptionalInt.of(rank), message + "; stopped the other ranks", exitCodes);
    }

    private String describeRank(int rank) {
        String base = "rank " + rank + " of " + config.worldSize();
        if (config.nodes() == 1) return base;
        return base + " (node " + rank / config.processes() + ", local rank " + rank % config.processes() + ")";
    }

    private static void recordExits(Process[] workers, int[] exitCodes) {
        for (int r = 0; r < workers.length; r++) {
            if (exitCodes[r] == Integer.MIN_VALUE) exitCodes[r] = workers[r] != null && !workers[r].isAlive() ? workers[r].exitValue() : -1;
        }
    }

    /** SIGTERM everyone (SIGKILL straight away for a frozen rank), then SIGKILL whoever is left after the grace period. */
    private void killAll(Process[] workers, int unresponsiveRank) {
        for (int r = 0; r < workers.length; r++) {
            Process p = workers[r];
            if (p == null || !p.isAlive()) continue;
            if (r == unresponsiveRank) p.destroyForcibly();
            // ProcessHandle.destroy sends the same SIGTERM but, unlike Process.destroy, leaves the output pipe open:
            // what a rank reports while it stops (its last step, the checkpoint it saves) still reaches the listener
            else p.toHandle().destroy();
        }
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        for (Process p : workers) {
            if (p == null) continue;
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String lastProgress(TCPStore store, int rank) {
        try {
            String key = StoreKeys.progress(rank);
            org.bytedeco.pytorch.StringVector keys = new org.bytedeco.pytorch.StringVector(key);
            if (!store.check(keys)) return "";
            return " (last reported: " + new String(store.get(key).get(), StandardCharsets.UTF_8) + ")";
        } catch (RuntimeException e) {
            return "";
        }
    }

    static String describeExit(int code) {
        if (code == EXIT_PEER_FAILURE) return "exited with code " + code + " (stopped because another rank failed)";
        if (code > 128 && code < 160) {
            int signal = code - 128;
            String name = switch (signal) {
                case 6 -> "SIGABRT";
                case 9 -> "SIGKILL (out of memory killer?)";
                case 11 -> "SIGSEGV";
                case 15 -> "SIGTERM";
                default -> "signal " + signal;
            };
            return "was killed by " + name + " (exit code " + code + ")";
        }
        return "exited with code " + code;
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
