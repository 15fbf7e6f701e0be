package dev.cogforge.app.studio.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.train.MemoryEstimator;

/** The Settings estimate is per rank: sharding the optimizer state over the chosen processes divides that part. */
class ShardedEstimateTest {
    @TempDir
    Path tmp;

    @Test
    void shardingTheOptimizerStateDividesItOverTheProcesses() {
        SettingsViewModel s = new SettingsViewModel(Runnable::run, Runnable::run, new Presets.Locations(tmp, tmp, tmp));
        s.applyPreset(Presets.byId("lora-2b"));
        s.field("data_root").textProperty().set(tmp.toString());
        s.processesProperty().set(4);
        MemoryEstimator.Estimate whole = s.estimateProperty().get();
        assertTrue(whole.optimizerStates() > 0, whole.describe());

        s.field("shard_optimizer_state").textProperty().set("true");
        MemoryEstimator.Estimate quarter = s.estimateProperty().get();
        assertEquals((whole.optimizerStates() + 3) / 4, quarter.optimizerStates(), quarter.describe());
        assertEquals(whole.trainingPeak() - whole.optimizerStates() + quarter.optimizerStates(), quarter.trainingPeak());

        s.processesProperty().set(1);
        assertEquals(whole.optimizerStates(), s.estimateProperty().get().optimizerStates(), "one process keeps all of it");
    }
}
