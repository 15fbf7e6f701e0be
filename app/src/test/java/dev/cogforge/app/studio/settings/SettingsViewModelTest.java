package dev.cogforge.app.studio.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import dev.cogforge.core.train.config.RunConfig;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsViewModelTest {
    @TempDir
    Path tmp;

    private SettingsViewModel vm() {
        return new SettingsViewModel(Runnable::run, Runnable::run, new Presets.Locations(tmp.resolve("cache"), tmp.resolve("data"), tmp.resolve("runs"),
                dev.cogforge.core.demo.DemoModel.VAE_PRETRAINING.quick(1, 1)));
    }

    @Test
    void everyRunConfigFieldIsOnTheFormInItsGroup() {
        SettingsViewModel vm = vm();
        long publicFields = java.util.Arrays.stream(RunConfig.class.getDeclaredFields())
                .filter(f -> java.lang.reflect.Modifier.isPublic(f.getModifiers()) && !java.lang.reflect.Modifier.isStatic(f.getModifiers())
                        && !java.lang.reflect.Modifier.isFinal(f.getModifiers()))
                .count();
        assertEquals(publicFields - 1, vm.fields().size(), "all settings but 'version'");
        assertEquals(ConfigField.Group.LORA, vm.field("rank").field().group());
        assertEquals(ConfigField.Group.MEMORY, vm.field("gradient_checkpointing").field().group());
        assertEquals(ConfigField.Group.OPTIMIZER, vm.field("prodigy_d_coef").field().group());
        assertEquals("0.9", vm.field("beta1").textProperty().get());
        assertEquals("to_k, to_q, to_v, to_out.0", vm.field("target_modules").textProperty().get());
    }

    @Test
    void problemsAreAttachedToTheirFieldsAndListed() {
        SettingsViewModel vm = vm();
        assertFalse(vm.validProperty().get());
        assertTrue(vm.field("pretrained_model_name_or_path").errorProperty().get());
        vm.field("pretrained_model_name_or_path").textProperty().set("THUDM/CogVideoX-2b");
        vm.field("data_root").textProperty().set(tmp.toString());
        assertTrue(vm.validProperty().get(), vm.problems().toString());
        assertEquals("", vm.field("pretrained_model_name_or_path").problemProperty().get());

        vm.field("rank").textProperty().set("sixty");
        assertFalse(vm.validProperty().get());
        assertEquals("'sixty' is not a whole number", vm.field("rank").problemProperty().get());
        vm.field("rank").textProperty().set("0");
        assertTrue(vm.field("rank").problemProperty().get().contains("must be >= 1"));
        vm.field("frame_buckets").textProperty().set("49, 50");
        assertTrue(vm.field("frame_buckets").problemProperty().get().contains("4k+1"));
        assertTrue(vm.problems().stream().anyMatch(p -> p.key().equals("frame_buckets")));
        vm.field("rank").textProperty().set("64");
        vm.field("frame_buckets").textProperty().set("49");
        assertTrue(vm.validProperty().get(), vm.problems().toString());
        assertEquals(64, vm.config().rank);
        assertEquals(List.of(49), vm.config().frameBuckets);
    }

    @Test
    void memoryEstimateFollowsTheFieldsAndTheDeviceSize() throws Exception {
        SettingsViewModel vm = vm();
        vm.applyPreset(Presets.byId("lora-2b"));
        assertEquals("THUDM/CogVideoX-2b", vm.config().pretrainedModelNameOrPath);
        assertEquals(128, vm.config().rank);
        String before = vm.estimateTextProperty().get();
        assertTrue(before.startsWith("fits in 24 GB: est. "), before);
        assertTrue(before.contains("GB with validation"), before);
        vm.field("gradient_checkpointing").textProperty().set("false");
        vm.field("train_batch_size").textProperty().set("4");
        String after = vm.estimateTextProperty().get();
        assertNotEquals(before, after);
        assertTrue(after.startsWith("does not fit in 24 GB"), after);
        assertFalse(vm.fitsProperty().get());
        vm.deviceGbProperty().set(141);
        vm.field("train_batch_size").textProperty().set("1");
        assertTrue(vm.estimateTextProperty().get().startsWith("fits in 141 GB"), vm.estimateTextProperty().get());
        vm.field("pretrained_model_name_or_path").textProperty().set("my/unknown-model");
        assertTrue(vm.estimateTextProperty().get().contains("not recognised"));
        vm.estimateModelProperty().set(ModelCatalog.COGVIDEOX_5B);
        assertTrue(vm.estimateTextProperty().get().contains("CogVideoX-5b"), vm.estimateTextProperty().get());
    }

    @Test
    void gpuPresetsKeepTheDatasetAndValidate() throws Exception {
        SettingsViewModel vm = vm();
        vm.field("data_root").textProperty().set("/data/disney");
        for (String id : List.of("lora-2b", "lora-5b", "lora-5b-i2v")) {
            vm.applyPreset(Presets.byId(id));
            assertEquals("/data/disney", vm.config().dataRoot, id);
            assertTrue(vm.validProperty().get(), id + ": " + vm.problems());
        }
        assertEquals("i2v", vm.config().task);
        assertEquals("bf16", vm.config().mixedPrecision);
    }

    @Test
    void tinyDemoPresetBuildsTheDemoModelAndGivesAValidConfig() {
        SettingsViewModel vm = vm();
        vm.applyPreset(Presets.byId(Presets.TINY_DEMO));
        assertTrue(vm.messageProperty().get().contains("applied"), vm.messageProperty().get());
        assertTrue(vm.validProperty().get(), vm.problems().toString());
        assertTrue(vm.config().pretrainedModelNameOrPath.contains("demo-model"), vm.config().pretrainedModelNameOrPath);
    }

    @Test
    void savesLoadsAndImportsFactoryCommandLines() throws Exception {
        SettingsViewModel vm = vm();
        vm.field("pretrained_model_name_or_path").textProperty().set("THUDM/CogVideoX-5b");
        vm.field("rank").textProperty().set("32");
        Path file = tmp.resolve("run.json");
        vm.save(file);
        SettingsViewModel other = vm();
        other.load(file);
        assertEquals("32", other.field("rank").textProperty().get());
        assertEquals("THUDM/CogVideoX-5b", other.field("pretrained_model_name_or_path").textProperty().get());

        SettingsViewModel.ImportSummary r = vm.importCommandLine("""
                accelerate launch --config_file cfg.yaml training/cogvideox/cogvideox_image_to_video_lora.py \\
                  --pretrained_model_name_or_path THUDM/CogVideoX-5b-I2V --rank 256 --lora_alpha 128 \\
                  --report_to wandb --nccl_timeout 1800""");
        assertTrue(r.applied(), r.toString());
        assertEquals("256", vm.field("rank").textProperty().get());
        assertEquals("i2v", vm.field("task").textProperty().get());
        assertTrue(r.unsupported().stream().anyMatch(s -> s.contains("--report_to")), r.unsupported().toString());
        assertTrue(r.unsupported().stream().anyMatch(s -> s.contains("accelerate launch")), r.unsupported().toString());

        SettingsViewModel.ImportSummary bad = vm.importCommandLine("python train.py --rank 4");
        assertFalse(bad.applied());
        assertEquals("256", vm.field("rank").textProperty().get());
    }
}
