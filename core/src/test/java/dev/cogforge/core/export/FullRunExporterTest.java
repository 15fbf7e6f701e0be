package dev.cogforge.core.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.io.Checkpoints;
import dev.cogforge.core.io.DType;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.ShardedCheckpointWriter;
import dev.cogforge.core.io.TensorSource;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.nn.Parameter;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FullRunExporterTest {
    @TempDir
    Path tmp;

    /** A finished full fine-tuning run: the fixture-size transformer with random fp32 weights, as the trainer saves it. */
    private Path fullRun() throws IOException {
        Engine.ensureLoaded();
        Path run = tmp.resolve("runs/tiny-full");
        Path transformer = run.resolve("transformer");
        Files.createDirectories(transformer);
        Files.copy(FixtureRunner.configuredRoot().resolve("transformer-2b-t2v/config.json"), transformer.resolve("config.json"));
        try (CogVideoXTransformer3D t = CogVideoXTransformer3D.fromConfig(transformer.resolve("config.json"));
             PointerScope s = new PointerScope()) {
            t.initializeRandom(5, 0.05);
            ShardedCheckpointWriter w = new ShardedCheckpointWriter("diffusion_pytorch_model", ShardedCheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
            for (Map.Entry<String, Parameter> e : t.stateDict().entrySet()) w.add(e.getKey(), e.getValue().get());
            w.write(transformer);
        }
        Files.writeString(run.resolve("config.json"), """
                {"training_type": "full", "pretrained_model_name_or_path": "THUDM/CogVideoX-2b", "run_name": "tiny-full",
                 "validation_prompt": "a red ball:::a blue cube", "hub_token": "hf_mustNotLeak123", "learning_rate": 0.0001}
                """);
        Files.writeString(run.resolve("metrics.jsonl"), """
                {"step": 1, "loss": 0.50}
                {"step": 2, "loss": 0.40}
                """);
        Files.createDirectories(run.resolve("validation/step-2"));
        Files.createDirectories(run.resolve("validation/final"));
        Files.write(run.resolve("validation/step-2/video_0.mp4"), new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p'});
        Files.write(run.resolve("validation/final/video_0.mp4"), new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 1});
        Files.write(run.resolve("validation/final/video_1.mp4"), new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 2});
        return run;
    }

    @Test
    void exportedTransformerLoadsAndEqualsTheRunWeightsAfterTheCast() throws IOException {
        Path run = fullRun();
        for (DType dtype : List.of(DType.BF16, DType.F16, DType.F32)) {
            Path out = tmp.resolve("export-" + dtype);
            RunExporter.Result r = RunExporter.export(RunFolder.open(run), ExportOptions.of(out, dtype), null);
            assertTrue(r.summary().startsWith("full fine-tune: transformer with "), r.summary());
            assertTrue(r.files().contains("transformer/diffusion_pytorch_model.safetensors"), r.files().toString());
            assertTrue(r.files().contains("transformer/config.json"));
            assertEquals(Files.readString(run.resolve("transformer/config.json")), Files.readString(out.resolve("transformer/config.json")));
            try (SafetensorsFile f = SafetensorsFile.open(out.resolve("transformer/diffusion_pytorch_model.safetensors"))) {
                for (String n : f.names()) assertEquals(dtype, f.info(n).dtype(), n);
            }
            assertSameWeightsAfterCast(run.resolve("transformer"), out.resolve("transformer"), dtype);
        }
        assertLeavesNoTempFolders();
    }

    @Test
    void bigTransformersAreShardedWithAnIndex() throws IOException {
        Path run = fullRun();
        long total;
        try (TensorSource src = Checkpoints.open(run.resolve("transformer"))) {
            total = 0;
            for (String n : src.names()) total += src.info(n).numel() * 2;
        }
        Path out = tmp.resolve("sharded");
        long maxShard = total / 3;
        FullRunExporter.Result r = FullRunExporter.export(RunFolder.open(run), ExportOptions.of(out, DType.BF16).withMaxShardBytes(maxShard), null);
        assertEquals(total, r.transformerBytes());
        List<String> shards = r.files().stream().filter(f -> f.matches("transformer/diffusion_pytorch_model-\\d{5}-of-\\d{5}\\.safetensors")).toList();
        assertTrue(shards.size() >= 3, r.files().toString());
        assertTrue(r.files().contains("transformer/" + TransformerFolderWriter.INDEX));
        assertFalse(Files.exists(out.resolve("transformer/" + TransformerFolderWriter.SINGLE)));
        for (String shard : shards) {
            try (SafetensorsFile f = SafetensorsFile.open(out.resolve(shard))) {
                long bytes = 0;
                for (String n : f.names()) bytes += f.info(n).numel() * 2;
                assertTrue(bytes <= maxShard || f.names().size() == 1, shard + " holds " + bytes + " bytes");
            }
        }
        Map<?, ?> index = new ObjectMapper().readValue(out.resolve("transformer/" + TransformerFolderWriter.INDEX).toFile(), Map.class);
        assertEquals(total, ((Number) ((Map<?, ?>) index.get("metadata")).get("total_size")).longValue());
        assertSameWeightsAfterCast(run.resolve("transformer"), out.resolve("transformer"), DType.BF16);
    }

    @Test
    void theCardIsAFullFineTuneCardAndThePreviewIsWhatTheExportWrites() throws IOException {
        Path run = fullRun();
        Path out = tmp.resolve("export");
        String preview = RunExporter.previewCard(RunFolder.open(run), ExportOptions.of(out, DType.BF16));
        assertFalse(Files.exists(out), "a preview writes nothing");
        RunExporter.Result r = RunExporter.export(RunFolder.open(run), ExportOptions.of(out, DType.BF16), null);
        String card = Files.readString(out.resolve("README.md"));
        assertEquals(preview, card);

        assertTrue(card.startsWith("---\n"));
        Map<?, ?> fm = new ObjectMapper(new YAMLFactory()).readValue(card.substring(4, card.indexOf("\n---", 4)), Map.class);
        assertEquals("THUDM/CogVideoX-2b", fm.get("base_model"));
        assertEquals("finetune", fm.get("base_model_relation"));
        assertEquals("diffusers", fm.get("library_name"));
        List<?> tags = (List<?>) fm.get("tags");
        assertTrue(tags.contains("text-to-video") && tags.contains("cogvideox") && !tags.contains("lora"), tags.toString());
        List<?> widget = (List<?>) fm.get("widget");
        assertEquals(2, widget.size());
        assertEquals("validation/video_1.mp4", ((Map<?, ?>) ((Map<?, ?>) widget.get(1)).get("output")).get("url"));
        assertEquals("a blue cube", ((Map<?, ?>) widget.get(1)).get("text"));

        assertTrue(card.contains("CogVideoXTransformer3DModel.from_pretrained(\"<this repo or folder>\", subfolder=\"transformer\", torch_dtype=torch.bfloat16)"), card);
        assertTrue(card.contains("CogVideoXPipeline.from_pretrained(\"THUDM/CogVideoX-2b\", transformer=transformer"), card);
        assertTrue(card.contains("| steps trained | 2 |"), card);
        assertTrue(card.contains("| final loss | 0.40000"), card);
        assertFalse(card.contains("load_lora_weights"), card);

        assertEquals(List.of("transformer/diffusion_pytorch_model.safetensors", "transformer/config.json", "validation/video_0.mp4",
                "validation/video_1.mp4", LoraExporter.CONFIG_FILE, "README.md"), r.files());
        assertEquals(2, Files.size(out.resolve("validation/video_0.mp4")) - 7, "the final test's videos, not the last step's");
        try (Stream<Path> all = Files.walk(out)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p) && !p.toString().endsWith(".safetensors")) {
                    assertFalse(Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1).contains("hf_mustNotLeak123"), p.toString());
                }
            }
        }
    }

    @Test
    void loraOnlyOptionsAreRefusedForAFullRun() throws IOException {
        Path run = fullRun();
        Path out = tmp.resolve("export");
        IOException comfy = assertThrows(IOException.class,
                () -> RunExporter.export(RunFolder.open(run), ExportOptions.of(out, DType.BF16).withComfyui(true), null));
        assertTrue(comfy.getMessage().contains("--comfyui") && comfy.getMessage().contains("full fine-tuning run"), comfy.getMessage());
        IOException merge = assertThrows(IOException.class,
                () -> RunExporter.export(RunFolder.open(run), ExportOptions.of(out, DType.BF16).withMergeInto(run.resolve("transformer")), null));
        assertTrue(merge.getMessage().contains("--merge-into") && merge.getMessage().contains("full fine-tuning run"), merge.getMessage());
        assertThrows(IOException.class, () -> RunExporter.previewCard(RunFolder.open(run), ExportOptions.of(out, DType.BF16).withComfyui(true)));
        assertFalse(Files.exists(out));
        assertLeavesNoTempFolders();
    }

    /** Loads the export into the model as the studio would and compares every weight with the run's, cast the same way. */
    private static void assertSameWeightsAfterCast(Path runTransformer, Path exported, DType dtype) throws IOException {
        try (CogVideoXTransformer3D loaded = CogVideoXTransformer3D.fromConfig(exported.resolve("config.json"));
             TensorSource exportedWeights = Checkpoints.open(exported);
             TensorSource runWeights = Checkpoints.open(runTransformer)) {
            loaded.loadStateDict(exportedWeights, ScalarType.Float, null);
            assertEquals(runWeights.names().size(), loaded.stateDict().size());
            for (Map.Entry<String, Parameter> e : loaded.stateDict().entrySet()) {
                try (PointerScope s = new PointerScope()) {
                    Tensor want = runWeights.load(e.getKey(), dtype.scalarType()).to(ScalarType.Float);
                    Tensor got = e.getValue().get();
                    assertTrue(torch.equal(want, got), e.getKey() + " differs from the run's weight cast to " + dtype);
                }
            }
        }
    }

    private void assertLeavesNoTempFolders() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            List<Path> leftovers = s.filter(p -> p.getFileName().toString().contains(".export-")).toList();
            assertTrue(leftovers.isEmpty(), leftovers.toString());
        }
    }
}
