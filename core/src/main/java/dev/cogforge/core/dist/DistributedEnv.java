package dev.cogforge.core.dist;

import java.util.Map;

/**
 * Where this process sits in a data-parallel job, read from the environment the way torchrun, SLURM's {@code srun}
 * and Kubernetes set it. Precedence: torchrun-style {@code RANK}/{@code WORLD_SIZE} (also what {@link Launcher} sets),
 * then SLURM ({@code SLURM_PROCID}/{@code SLURM_NTASKS}/{@code SLURM_LOCALID}), else a single process.
 *
 * @param storeHostedByLauncher true when {@link Launcher} hosts the rendezvous store, so rank 0 connects to it as a
 *                              client instead of serving it (the launcher must read heartbeats even while rank 0 is
 *                              busy or gone)
 */
public record DistributedEnv(int rank, int worldSize, int localRank, int localWorldSize, String masterAddr,
                             int masterPort, Source source, boolean storeHostedByLauncher) {

    /** Which convention the values came from; shown in logs so a mis-set job is easy to recognise. */
    public enum Source { SINGLE_PROCESS, TORCHRUN, SLURM, LAUNCHER }

    /** Set by {@link Launcher} in each worker's environment. */
    public static final String LAUNCHER_STORE_VAR = "COGFORGE_LAUNCHER_STORE";
    public static final int DEFAULT_MASTER_PORT = 29500;

    public DistributedEnv {
        if (worldSize < 1) throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
        if (rank < 0 || rank >= worldSize) throw new IllegalArgumentException("rank " + rank + " is outside [0, " + worldSize + ")");
        if (localWorldSize < 1) throw new IllegalArgumentException("local world size must be >= 1, got " + localWorldSize);
        if (localRank < 0 || localRank >= localWorldSize) {
            throw new IllegalArgumentException("local rank " + localRank + " is outside [0, " + localWorldSize + ")");
        }
        if (masterPort < 0 || masterPort > 65535) throw new IllegalArgumentException("master port " + masterPort + " is not a TCP port");
    }

    public static DistributedEnv singleProcess() {
        return new DistributedEnv(0, 1, 0, 1, "127.0.0.1", DEFAULT_MASTER_PORT, Source.SINGLE_PROCESS, false);
    }

    public static DistributedEnv fromSystemEnv() {
        return from(System.getenv());
    }

    public static DistributedEnv from(Map<String, String> env) {
        boolean launched = "1".equals(env.get(LAUNCHER_STORE_VAR));
        if (present(env, "RANK") || present(env, "WORLD_SIZE")) {
            int world = integer(env, "WORLD_SIZE", null);
            int rank = integer(env, "RANK", null);
            int localRank = integer(env, "LOCAL_RANK", world == 1 ? 0 : null);
            int localWorld = integer(env, "LOCAL_WORLD_SIZE", Math.max(localRank + 1, 1));
            return new DistributedEnv(rank, world, localRank, localWorld, master(env, world),
                    port(env), launched ? Source.LAUNCHER : Source.TORCHRUN, launched);
        }
        if (present(env, "SLURM_PROCID") && present(env, "SLURM_NTASKS")) {
            int world = integer(env, "SLURM_NTASKS", null);
            int rank = integer(env, "SLURM_PROCID", null);
            int localRank = integer(env, "SLURM_LOCALID", 0);
            int localWorld = present(env, "SLURM_NTASKS_PER_NODE")
                    ? leadingInteger(env, "SLURM_NTASKS_PER_NODE") : Math.max(localRank + 1, 1);
            return new DistributedEnv(rank, world, localRank, localWorld, master(env, world), port(env), Source.SLURM, false);
        }
        return singleProcess();
    }

    public boolean isDistributed() {
        return worldSize > 1;
    }

    public boolean isRankZero() {
        return rank == 0;
    }

    /** The process that serves the rendezvous store: rank 0, unless the launcher already does. */
    public boolean servesStore() {
        return rank == 0 && !storeHostedByLauncher;
    }

    @Override
    public String toString() {
        return "rank " + rank + "/" + worldSize + " (local " + localRank + "/" + localWorldSize + ", " + source
                + ", master " + masterAddr + ":" + masterPort + ")";
    }

    private static boolean present(Map<String, String> env, String key) {
        String v = env.get(key);
        return v != null && !v.isBlank();
    }

    private static String master(Map<String, String> env, int world) {
        String addr = env.get("MASTER_ADDR");
        if (addr != null && !addr.isBlank()) return addr.trim();
        if (world == 1) return "127.0.0.1";
        throw new IllegalArgumentException("MASTER_ADDR is not set: every rank of a " + world + "-process job must know the"
                + " host of rank 0 (with SLURM: export MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1))");
    }

    private static int port(Map<String, String> env) {
        if (!present(env, "MASTER_PORT")) return DEFAULT_MASTER_PORT;
        int p = integer(env, "MASTER_PORT", null);
        if (p < 1 || p > 65535) throw new IllegalArgumentException("MASTER_PORT must be a TCP port 1..65535, got " + p);
        return p;
    }

    private static int integer(Map<String, String> env, String key, Integer fallback) {
        String v = env.get(key);
        if (v == null || v.isBlank()) {
            if (fallback != null) return fallback;
            throw new IllegalArgumentException(key + " is not set (expected a whole number)");
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
        }
    }

    /** SLURM writes per-node task counts like {@code 4(x2)} or {@code 4,2}; this node's count is the first. */
    private static int leadingInteger(Map<String, String> env, String key) {
        String v = env.get(key).trim();
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) end++;
        if (end == 0) throw new IllegalArgumentException(key + " must start with a whole number, got '" + v + "'");
        return Integer.parseInt(v.substring(0, end));
    }
}
