package dev.cogforge.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cogforge.core.train.config.FactoryFlags;
import dev.cogforge.core.train.config.RunConfig;
import dev.cogforge.core.train.config.RunConfigValidator;

/** The {@code shard_optimizer_state} setting: flag, JSON key, validation and what it does to the memory estimate. */
class ShardOptimizerStateSettingsTest {
    @Test
    void flagAndJsonKeySetIt() throws Exception {
        RunConfig base = RunConfig.defaults();
        assertFalse(base.shardOptimizerState);
        FactoryFlags.Result r = FactoryFlags.apply(base, List.of("--shard_optimizer_state", "--training_type", "full"));
        assertTrue(r.errors().isEmpty() && r.ignored().isEmpty(), r.toString());
        assertTrue(r.config().shardOptimizerState);
        assertTrue(r.config().toJson().contains("\"shard_optimizer_state\" : true") || r.config().toJson().contains("\"shard_optimizer_state\":true"),
                r.config().toJson());
        assertTrue(RunConfig.fromJson(r.config().toJson(), "test").shardOptimizerState);
    }

    @Test
    void prodigyIsRefusedAdamFamilyIsAccepted() {
        RunConfig c = RunConfig.defaults();
        c.dataRoot = "data";
        c.shardOptimizerState = true;
        for (String ok : List.of("adam", "adamw", "adam8bit", "adamw8bit")) {
            c.optimizer = ok;
            assertFalse(RunConfigValidator.validate(c).has("shard_optimizer_state"), ok);
        }
        c.optimizer = "prodigy";
        c.learningRate = 1.0;
        var report = RunConfigValidator.validate(c);
        assertTrue(report.errors().stream().anyMatch(p -> p.key().equals("shard_optimizer_state") && p.message().contains("Prodigy")),
                report.toString());
        c.shardOptimizerState = false;
        assertFalse(RunConfigValidator.validate(c).has("shard_optimizer_state"));
    }

    @Test
    void estimateDividesOnlyTheOptimizerStateByTheRanks() {
        RunConfig c = RunConfig.defaults();
        c.trainingType = "full";
        c.optimizer = "adamw";
        c.frameBuckets = new java.util.ArrayList<>(List.of(49));
        c.heightBuckets = new java.util.ArrayList<>(List.of(480));
        c.widthBuckets = new java.util.ArrayList<>(List.of(720));
        c.gradientCheckpointing = true;
        MemoryEstimator.Estimate one = MemoryEstimator.estimate(MemoryEstimator.Inputs.of(c, ModelDimensions.cogVideoX5b(), 8));
        c.shardOptimizerState = true;
        StringBuilder table = new StringBuilder("5b full fine-tuning, AdamW fp32 state per rank:");
        for (int w : new int[] {1, 2, 4, 8}) {
            MemoryEstimator.Estimate e = MemoryEstimator.estimate(MemoryEstimator.Inputs.of(c, ModelDimensions.cogVideoX5b(), w));
            table.append(String.format(" %d ranks %.1f GB (peak %.1f GB);", w, e.optimizerStates() / 1e9, e.peakBeforeValidation() / 1e9));
            assertEquals((one.optimizerStates() + w - 1) / w, e.optimizerStates());
            assertEquals(one.gradients(), e.gradients());
            assertEquals(one.activations(), e.activations());
            assertEquals(one.peakBeforeValidation() - one.optimizerStates() + e.optimizerStates(), e.peakBeforeValidation());
        }
        System.out.println(table);
        assertEquals(one.optimizerStates(), MemoryEstimator.estimate(MemoryEstimator.Inputs.of(c, ModelDimensions.cogVideoX5b(), 1)).optimizerStates());
        MemoryEstimator.RunEstimate run = MemoryEstimator.estimateRun(c, ModelDimensions.cogVideoX5b(), "bf16", false, 4);
        assertEquals(MemoryEstimator.estimateRun(c, ModelDimensions.cogVideoX5b(), "bf16", false).largestBucket().optimizerStates() / 4,
                run.largestBucket().optimizerStates(), 1);
    }
}
