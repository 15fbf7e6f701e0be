package dev.cogforge.core.train.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class FactoryCommandLineImporterTest {
    @Test
    void importsTheSeedReadmeSweep() throws IOException {
        String script;
        try (InputStream in = getClass().getResourceAsStream("/train/seed-readme-sweep.sh")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        FactoryCommandLineImporter.Imported imp = FactoryCommandLineImporter.importText(script);
        RunConfig c = imp.config();
        FactoryFlags.Result r = imp.result();
        System.out.println("ignored: " + r.ignored());
        System.out.println("unresolved: " + r.unresolved());
        System.out.println("notes: " + r.notes());
        assertEquals("cogvideox_text_to_video_lora.py", imp.script());
        assertEquals(List.of(), r.errors());
        assertEquals("t2v", c.task);
        assertEquals("lora", c.trainingType);
        assertEquals("THUDM/CogVideoX-5b", c.pretrainedModelNameOrPath);
        assertEquals("$DATA_ROOT", c.dataRoot);
        assertEquals("$CAPTION_COLUMN", c.captionColumn);
        assertEquals("BW_STYLE", c.idToken);
        assertEquals(List.of(480), c.heightBuckets);
        assertEquals(List.of(720), c.widthBuckets);
        assertEquals(List.of(49), c.frameBuckets);
        assertEquals(8, c.dataloaderNumWorkers);
        assertTrue(c.pinMemory);
        assertEquals(2, c.validationPrompts().size());
        assertTrue(c.validationPrompts().get(1).startsWith("BW_STYLE A panda"), c.validationPrompts().get(1));
        assertEquals(10, c.validationEpochs);
        assertEquals(42L, c.seed);
        assertEquals(128, c.rank);
        assertEquals(128.0, c.loraAlpha);
        assertEquals("bf16", c.mixedPrecision);
        assertEquals(1, c.trainBatchSize);
        assertEquals(1000, c.checkpointingSteps);
        assertTrue(c.gradientCheckpointing);
        assertEquals(400, c.lrWarmupSteps);
        assertTrue(c.enableSlicing && c.enableTiling && c.allowTf32);
        assertEquals(0.001, c.weightDecay);
        // $steps, $learning_rate, $optimizer, $lr_schedule: never silently dropped
        assertTrue(r.unresolved().stream().anyMatch(u -> u.startsWith("--max_train_steps $steps")));
        assertTrue(r.unresolved().stream().anyMatch(u -> u.startsWith("--learning_rate $learning_rate")));
        assertTrue(r.unresolved().stream().anyMatch(u -> u.startsWith("--optimizer $optimizer")));
        assertTrue(r.ignored().stream().anyMatch(i -> i.flag().equals("--report_to") && i.value().equals("wandb")));
        assertTrue(r.ignored().stream().anyMatch(i -> i.flag().equals("--nccl_timeout")));
        assertTrue(r.ignored().stream().anyMatch(i -> i.flag().startsWith("accelerate launch --config_file")));
    }

    @Test
    void importsAMultiLineScriptWithContinuationsAndQuotes() {
        String text = """
                #!/bin/bash
                export WANDB_MODE="offline"
                accelerate launch --config_file accelerate_configs/uncompiled_1.yaml \\
                  training/cogvideox/cogvideox_image_to_video_sft.py \\
                  --pretrained_model_name_or_path 'THUDM/CogVideoX-5b-I2V' \\
                  --data_root "/data/my set" --frame_buckets 49 81 \\
                  --validation_prompt "a cat:::a dog" --validation_images "cat.png:::dog.png" \\
                  --optimizer AdamW --use_8bit --learning_rate=2e-5 \\
                  --lr_scheduler cosine_with_restarts --max_train_steps 3000 \\
                  --hub_token hf_SECRETVALUE --use_4bit --made_up_flag 1 2 # trailing comment
                echo done
                """;
        FactoryCommandLineImporter.Imported imp = FactoryCommandLineImporter.importText(text);
        RunConfig c = imp.config();
        FactoryFlags.Result r = imp.result();
        assertEquals("i2v", c.task);
        assertEquals("full", c.trainingType);
        assertEquals("/data/my set", c.dataRoot);
        assertEquals(List.of(49, 81), c.frameBuckets);
        assertEquals(List.of("cat.png", "dog.png"), c.validationImagePaths());
        assertEquals("adamw8bit", c.optimizer);
        assertEquals(2e-5, c.learningRate);
        assertEquals(3000, c.maxTrainSteps);
        assertEquals(List.of(), r.errors());
        assertTrue(r.ignored().stream().anyMatch(i -> i.flag().equals("--made_up_flag") && i.value().equals("1 2")));
        assertTrue(r.ignored().stream().anyMatch(i -> i.flag().equals("--use_4bit")));
        assertFalse(r.ignored().toString().contains("SECRETVALUE"), "tokens never echoed");
        assertFalse(c.toJson().contains("SECRETVALUE"));
    }

    @Test
    void cliFlagsUseTheSameTable() {
        FactoryFlags.Result r = FactoryFlags.apply(RunConfig.defaults(), List.of(
                "--pretrained_model_name_or_path", "/models/2b", "--task", "i2v", "--rank", "16",
                "--target_modules", "to_q", "to_v", "--max_train_steps", "many", "--seed"));
        assertEquals("/models/2b", r.config().pretrainedModelNameOrPath);
        assertEquals("i2v", r.config().task);
        assertEquals(16, r.config().rank);
        assertEquals(List.of("to_q", "to_v"), r.config().targetModules);
        assertEquals(2, r.errors().size(), r.errors().toString());
        assertThrows(IllegalArgumentException.class, r::throwIfErrors);
        assertThrows(IllegalArgumentException.class, () -> FactoryCommandLineImporter.importText("python train.py --rank 4"));
        assertThrows(IllegalArgumentException.class, () -> FactoryCommandLineImporter.importText("x.py --a \"unterminated"));
    }
}
