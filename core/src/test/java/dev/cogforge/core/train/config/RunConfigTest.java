package dev.cogforge.core.train.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.train.ModelDimensions;

class RunConfigTest {
    static RunConfig minimal() {
        RunConfig c = RunConfig.defaults();
        c.pretrainedModelNameOrPath = "THUDM/CogVideoX-2b";
        c.dataRoot = "/data/disney";
        return c;
    }

    @Test
    void defaultsAreTheSeedDefaults() {
        RunConfig c = RunConfig.defaults();
        assertEquals(1, c.version);
        assertEquals(64, c.rank);
        assertEquals(64.0, c.loraAlpha);
        assertEquals(1e-4, c.learningRate);
        assertEquals("adam", c.optimizer);
        assertEquals("constant", c.lrScheduler);
        assertEquals(500, c.lrWarmupSteps);
        assertEquals(4, c.trainBatchSize);
        assertEquals(List.of(49), c.frameBuckets);
        assertEquals(12, c.heightBuckets.size());
        assertEquals("text", c.captionColumn);
        assertEquals("video", c.videoColumn);
        assertEquals(0.95, c.beta2);
        assertEquals(1e-4, c.weightDecay);
        assertEquals("cogvideox-sft", c.outputDir);
        assertEquals(0.05, c.noisedImageDropout);
        assertNull(c.maxTrainSteps);
        assertEquals("no", c.effectiveMixedPrecision());
        assertEquals(Math.sqrt(0.95), c.effectiveBeta3(), 1e-15);
    }

    @Test
    void savesAtomicallyAndLoadsBack(@TempDir Path dir) throws IOException {
        RunConfig c = minimal();
        c.rank = 128;
        c.frameBuckets = List.of(49, 81);
        c.validationPrompt = "a:::b";
        c.seed = 42L;
        c.unknownKeys.put("future_key", "kept");
        Path f = dir.resolve("run.json");
        c.save(f);
        String text = Files.readString(f);
        assertTrue(text.contains("\"version\" : 1"), text);
        assertTrue(text.contains("\"pretrained_model_name_or_path\" : \"THUDM/CogVideoX-2b\""));
        assertTrue(text.contains("\"future_key\" : \"kept\""));
        assertFalse(text.contains("image_to_video"), "derived values are not serialised");
        RunConfig back = RunConfig.load(f);
        assertEquals(text, back.toJson().replace("\r\n", "\n").equals(text) ? text : back.toJson());
        assertEquals(128, back.rank);
        assertEquals(List.of(49, 81), back.frameBuckets);
        assertEquals(List.of("a", "b"), back.validationPrompts());
        assertEquals(42L, back.seed);
        assertEquals("kept", back.unknownKeys.get("future_key"));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temp files left behind");
        }
    }

    @Test
    void wrongTypesAndVersionsAreRejectedWithTheKey(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("run.json");
        Files.writeString(f, "{\"version\":1,\"rank\":\"many\"}");
        IOException e = assertThrows(IOException.class, () -> RunConfig.load(f));
        assertTrue(e.getMessage().contains("rank"), e.getMessage());
        Files.writeString(f, "{\"version\":7}");
        e = assertThrows(IOException.class, () -> RunConfig.load(f));
        assertTrue(e.getMessage().contains("version"), e.getMessage());
    }

    @Test
    void validConfigPasses() {
        ValidationReport r = RunConfigValidator.validate(minimal(), ModelDimensions.cogVideoX2b());
        assertTrue(r.isValid(), r.toString());
    }

    @Test
    void validatorListsEveryProblem() {
        RunConfig c = RunConfig.defaults();
        c.pretrainedModelNameOrPath = "THUDM/CogVideoX-5b-I2V";
        c.task = "i2v";
        c.frameBuckets = List.of(48, 49);
        c.heightBuckets = List.of(480, 500);
        c.width = 721;
        c.rank = 0;
        c.loraAlpha = 0;
        c.learningRate = 0;
        c.lrScheduler = "cosine_with_restarts";
        c.lrWarmupSteps = 400;
        c.maxTrainSteps = 100;
        c.optimizer = "sgd";
        c.validationPrompt = "one:::two";
        c.validationImages = "only-one.png";
        c.validationEpochs = 10;
        c.mixedPrecision = "fp16";
        ValidationReport r = RunConfigValidator.validate(c);
        System.out.println(r);
        for (String key : List.of("data_root", "frame_buckets", "height_buckets", "width", "rank", "lora_alpha",
                "learning_rate", "lr_warmup_steps", "optimizer", "validation_images")) {
            assertTrue(r.errors().stream().anyMatch(p -> p.key().equals(key)), "missing error for " + key + "\n" + r);
        }
        assertTrue(r.warnings().stream().anyMatch(p -> p.key().equals("mixed_precision")), "fp16 with 5b warns");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::throwIfInvalid);
        assertTrue(e.getMessage().contains("frame_buckets") && e.getMessage().contains("optimizer"));
    }

    @Test
    void modelDependentChecks() {
        RunConfig c = minimal();
        c.rank = 4096;
        c.task = "i2v";
        c.validationPrompt = "p";
        c.validationImages = "i.png";
        ModelDimensions noVae = new ModelDimensions("tiny", 2, 2, 16, 32, 8, 4, 4, 2, 0, 8, false, 1000, java.util.Set.of("transformer", "scheduler"));
        ValidationReport r = RunConfigValidator.validate(c, noVae);
        System.out.println(r);
        assertTrue(r.errors().stream().anyMatch(p -> p.key().equals("rank")));
        assertTrue(r.errors().stream().anyMatch(p -> p.key().equals("task")));
        assertTrue(r.errors().stream().anyMatch(p -> p.message().contains("'vae'")));

        RunConfig fiveI2v = minimal();
        fiveI2v.task = "i2v";
        fiveI2v.frameBuckets = List.of(49);
        ValidationReport r2 = RunConfigValidator.validate(fiveI2v, ModelDimensions.cogVideoX5bI2v());
        assertTrue(r2.has("ignore_learned_positional_embeddings"), "buckets other than 480x720 need the flag");

        RunConfig v15 = minimal();
        v15.frameBuckets = List.of(49, 85);
        v15.maxNumFrames = 85;
        ValidationReport r3 = RunConfigValidator.validate(v15, ModelDimensions.cogVideoX15_5b());
        assertEquals(1, r3.errors().stream().filter(p -> p.key().equals("frame_buckets")).count(), r3.toString());
    }
}
