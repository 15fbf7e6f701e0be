package dev.cogforge.core.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DistributedEnvTest {
    @Test
    void noVariablesMeansOneProcess() {
        DistributedEnv e = DistributedEnv.from(Map.of());
        assertEquals(DistributedEnv.Source.SINGLE_PROCESS, e.source());
        assertFalse(e.isDistributed());
        assertTrue(e.isRankZero());
    }

    @Test
    void torchrunStyle() {
        DistributedEnv e = DistributedEnv.from(Map.of("RANK", "5", "WORLD_SIZE", "8", "LOCAL_RANK", "1",
                "LOCAL_WORLD_SIZE", "4", "MASTER_ADDR", "node0", "MASTER_PORT", "29600"));
        assertEquals(new DistributedEnv(5, 8, 1, 4, "node0", 29600, DistributedEnv.Source.TORCHRUN, false), e);
        assertFalse(e.servesStore());
        DistributedEnv zero = DistributedEnv.from(Map.of("RANK", "0", "WORLD_SIZE", "2", "LOCAL_RANK", "0", "MASTER_ADDR", "h"));
        assertTrue(zero.servesStore());
        assertEquals(DistributedEnv.DEFAULT_MASTER_PORT, zero.masterPort());
    }

    @Test
    void launcherHostsTheStore() {
        DistributedEnv e = DistributedEnv.from(Map.of("RANK", "0", "WORLD_SIZE", "2", "LOCAL_RANK", "0",
                "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "4000", DistributedEnv.LAUNCHER_STORE_VAR, "1"));
        assertEquals(DistributedEnv.Source.LAUNCHER, e.source());
        assertFalse(e.servesStore());
    }

    @Test
    void slurm() {
        DistributedEnv e = DistributedEnv.from(Map.of("SLURM_PROCID", "6", "SLURM_NTASKS", "8", "SLURM_LOCALID", "2",
                "SLURM_NTASKS_PER_NODE", "4(x2)", "MASTER_ADDR", "gpu-017"));
        assertEquals(new DistributedEnv(6, 8, 2, 4, "gpu-017", 29500, DistributedEnv.Source.SLURM, false), e);
    }

    @Test
    void torchrunVariablesWinOverSlurm() {
        DistributedEnv e = DistributedEnv.from(Map.of("RANK", "1", "WORLD_SIZE", "2", "LOCAL_RANK", "1", "MASTER_ADDR", "a",
                "SLURM_PROCID", "0", "SLURM_NTASKS", "1"));
        assertEquals(DistributedEnv.Source.TORCHRUN, e.source());
    }

    @Test
    void clearErrors() {
        var missingMaster = assertThrows(IllegalArgumentException.class,
                () -> DistributedEnv.from(Map.of("RANK", "0", "WORLD_SIZE", "2", "LOCAL_RANK", "0")));
        assertTrue(missingMaster.getMessage().contains("MASTER_ADDR"), missingMaster.getMessage());
        var badRank = assertThrows(IllegalArgumentException.class,
                () -> DistributedEnv.from(Map.of("RANK", "2", "WORLD_SIZE", "2", "LOCAL_RANK", "0", "MASTER_ADDR", "a")));
        assertTrue(badRank.getMessage().contains("rank 2"), badRank.getMessage());
        var notNumber = assertThrows(IllegalArgumentException.class,
                () -> DistributedEnv.from(Map.of("RANK", "x", "WORLD_SIZE", "2", "MASTER_ADDR", "a")));
        assertTrue(notNumber.getMessage().contains("RANK"), notNumber.getMessage());
        var port = assertThrows(IllegalArgumentException.class, () -> DistributedEnv.from(Map.of("RANK", "0",
                "WORLD_SIZE", "2", "LOCAL_RANK", "0", "MASTER_ADDR", "a", "MASTER_PORT", "70000")));
        assertTrue(port.getMessage().contains("MASTER_PORT"), port.getMessage());
    }

    @Test
    void timeoutsRoundTripThroughTheEnvironment() {
        DistributedTimeouts t = new DistributedTimeouts(Duration.ofSeconds(40), Duration.ofSeconds(600), Duration.ofMillis(750),
                Duration.ofSeconds(20));
        assertEquals(t, DistributedTimeouts.from(t.asEnv()));
        assertEquals(DistributedTimeouts.defaults(), DistributedTimeouts.from(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> DistributedTimeouts.from(Map.of(DistributedTimeouts.COLLECTIVE_VAR, "-3")));
        assertThrows(IllegalArgumentException.class, () -> new DistributedTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(2), Duration.ofSeconds(3)));
    }
}
