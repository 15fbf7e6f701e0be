package dev.cogforge.core.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.cogforge.core.io.DType;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraExporterTest {
    private static final String[] TARGETS = {"to_q", "to_k", "to_v", "to_out.0"};
    private static final int BLOCKS = 2;
    private static final int DIM = 8;
    private static final int RANK = 4;

    @TempDir
    Path tmp;

    private final Map<String, float[]> loraValues = new LinkedHashMap<>();

    private Path runFolder(String configJson) throws IOException {
        Path run = tmp.resolve("run");
        Files.createDirectories(run.resolve("validation"));
        Files.writeString(run.resolve("config.json"), configJson);
        Files.writeString(run.resolve("metrics.jsonl"), """
                {"step": 1, "loss": 0.50, "lr": 1e-4}
                {"step": 2, "loss": 0.40, "lr": 1e-4}
                {"step": 3, "loss": 0.30, "lr": 1e-4}
                {"step": 4, "lo""");
        Files.write(run.resolve("validation/video_0.mp4"), new byte[]{0, 0, 0, 24, 'f', 't', 'y', 'p'});
        Files.write(run.resolve("validation/video_1.mp4"), new byte[]{0, 0, 0, 24, 'f', 't', 'y', 'p', 1});
        Random rnd = new Random(7);
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        for (int b = 0; b < BLOCKS; b++) {
            for (String t : TARGETS) {
                String m = "transformer_blocks." + b + ".attn1." + t;
                float[] a = randomFloats(rnd, RANK * DIM);
                float[] bb = randomFloats(rnd, DIM * RANK);
                loraValues.put(m + ".A", a);
                loraValues.put(m + ".B", bb);
                w.addFloats(LoraKeys.diffusersA(m), a, RANK, DIM);
                w.addFloats(LoraKeys.diffusersB(m), bb, DIM, RANK);
            }
        }
        w.write(run.resolve(RunFolder.LORA_FILE));
        return run;
    }

    private static float[] randomFloats(Random rnd, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = (float) rnd.nextGaussian() * 0.1f + 1e-3f;
        return f;
    }

    private static final String CONFIG = """
            {"base_model": "THUDM/CogVideoX-2b", "rank": 4, "lora_alpha": 2, "id_token": "BW_STYLE",
             "validation_prompt": "BW_STYLE a cat:::BW_STYLE a dog", "hub_token": "hf_mustNotLeak123",
             "buckets": [[49, 480, 720]], "dataset_size": 12, "learning_rate": 0.0001, "optimizer": "adamw"}
            """;

    @Test
    void diffusersExportKeepsKeysAndRoundsToBf16() throws IOException {
        Path run = runFolder(CONFIG);
        Path out = tmp.resolve("out");
        String preview = LoraExporter.previewCard(RunFolder.open(run), ExportOptions.of(out, DType.BF16));
        assertFalse(Files.exists(out), "a preview writes nothing");
        LoraExporter.Result r = LoraExporter.export(RunFolder.open(run), ExportOptions.of(out, DType.BF16), null);
        assertEquals(preview, Files.readString(out.resolve("README.md")), "the preview is the card the export writes");
        assertEquals(RANK, r.rank());
        assertEquals(2.0, r.alpha());
        assertEquals(0.5, r.scale());
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve(RunFolder.LORA_FILE))) {
            assertEquals(BLOCKS * TARGETS.length * 2, f.names().size());
            assertEquals("pt", f.metadata().get("format"));
            assertEquals("2", f.metadata().get("cogforge.lora_alpha"));
            for (var e : loraValues.entrySet()) {
                String m = e.getKey().substring(0, e.getKey().length() - 2);
                String key = e.getKey().endsWith(".A") ? "transformer." + m + ".lora_A.weight" : "transformer." + m + ".lora_B.weight";
                assertEquals(DType.BF16, f.info(key).dtype());
                float[] got = f.readFloats(key);
                float[] want = e.getValue();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(0, Float.floatToRawIntBits(got[i]) & 0xffff, key);
                    assertTrue(Math.abs(got[i] - want[i]) <= Math.abs(want[i]) / 256, key + " " + got[i] + " vs " + want[i]);
                }
            }
        }
        assertTrue(Files.isRegularFile(out.resolve("validation/video_0.mp4")));
        assertTrue(Files.isRegularFile(out.resolve("README.md")));
        assertLeavesNoTempFolders();
    }

    @Test
    void fp16AndFp32ExportsMatchTheSource() throws IOException {
        Path run = runFolder(CONFIG);
        LoraExporter.export(RunFolder.open(run), ExportOptions.of(tmp.resolve("f32"), DType.F32), null);
        LoraExporter.export(RunFolder.open(run), ExportOptions.of(tmp.resolve("f16"), DType.F16), null);
        String key = "transformer.transformer_blocks.1.attn1.to_out.0.lora_B.weight";
        float[] want = loraValues.get("transformer_blocks.1.attn1.to_out.0.B");
        try (SafetensorsFile f32 = SafetensorsFile.open(tmp.resolve("f32").resolve(RunFolder.LORA_FILE));
             SafetensorsFile f16 = SafetensorsFile.open(tmp.resolve("f16").resolve(RunFolder.LORA_FILE))) {
            float[] a = f32.readFloats(key);
            float[] h = f16.readFloats(key);
            assertEquals(DType.F16, f16.info(key).dtype());
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], a[i]);
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(want[i])), h[i]);
            }
        }
    }

    @Test
    void comfyuiExportUsesKohyaKeysWithAlpha() throws IOException {
        Path run = runFolder(CONFIG);
        Path out = tmp.resolve("out");
        LoraExporter.export(RunFolder.open(run), ExportOptions.of(out, DType.F32).withComfyui(true), null);
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve(LoraExporter.COMFYUI_FILE))) {
            assertEquals(BLOCKS * TARGETS.length * 3, f.names().size());
            String base = "lora_unet_transformer_blocks_0_attn1_to_out_0";
            assertEquals(List.of(2.0f), List.of(f.readFloats(base + ".alpha")[0]));
            assertEquals(0, f.info(base + ".alpha").shape().length);
            assertArrayEquals(loraValues.get("transformer_blocks.0.attn1.to_out.0.A"), f.readFloats(base + ".lora_down.weight"));
            assertArrayEquals(loraValues.get("transformer_blocks.0.attn1.to_out.0.B"), f.readFloats(base + ".lora_up.weight"));
            assertTrue(f.contains("lora_unet_transformer_blocks_1_attn1_to_q.lora_down.weight"));
        }
    }

    private static void assertArrayEquals(float[] a, float[] b) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
    }

    @Test
    void modelCardHasHubFrontMatterUsageAndTrainingDetailsAndNoSecrets() throws IOException {
        Path run = runFolder(CONFIG);
        Path out = tmp.resolve("out");
        LoraExporter.export(RunFolder.open(run), ExportOptions.of(out, DType.BF16).withComfyui(true), null);
        String card = Files.readString(out.resolve("README.md"));
        assertTrue(card.startsWith("---\n"));
        String yaml = card.substring(4, card.indexOf("\n---\n", 4));
        Map<?, ?> fm = new ObjectMapper(new YAMLFactory()).readValue(yaml, Map.class);
        assertEquals("THUDM/CogVideoX-2b", fm.get("base_model"));
        assertEquals("diffusers", fm.get("library_name"));
        assertEquals("other", fm.get("license"));
        assertEquals(List.of("text-to-video", "lora", "cogvideox", "diffusers", "template:sd-lora", "cogforge"), fm.get("tags"));
        assertEquals("BW_STYLE", fm.get("instance_prompt"));
        List<?> widget = (List<?>) fm.get("widget");
        assertEquals(2, widget.size());
        assertEquals(Map.of("text", "BW_STYLE a dog", "output", Map.of("url", "validation/video_1.mp4")), widget.get(1));

        assertTrue(card.contains("CogVideoXPipeline.from_pretrained(\"THUDM/CogVideoX-2b\""), card);
        assertTrue(card.contains("pipe.load_lora_weights("), card);
        assertTrue(card.contains("pipe.fuse_lora(lora_scale=0.5)"), card);
        assertTrue(card.contains("| LoRA rank | 4 |"), card);
        assertTrue(card.contains("| steps trained | 3 |"), card);
        assertTrue(card.contains("0.30000 (mean of last 3 steps: 0.40000)"), card);
        assertTrue(card.contains("| dataset size | 12 |"), card);
        assertTrue(card.contains("[[49,480,720]]"), card);
        assertTrue(card.contains("| learning_rate | 1.0E-4 |") || card.contains("| learning_rate | 0.0001 |"), card);
        assertTrue(card.contains("could not be read"), card);
        assertFalse(card.contains("I2V"), card);
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                assertFalse(new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1).contains("hf_mustNotLeak123"), p.toString());
            }
        }
    }

    @Test
    void imageToVideoCardUsesTheI2vPipelineAndResolutionNote() throws IOException {
        Path run = runFolder("{\"base_model\": \"THUDM/CogVideoX-5b-I2V\", \"rank\": 4}");
        Path out = tmp.resolve("out");
        LoraExporter.Result r = LoraExporter.export(RunFolder.open(run), ExportOptions.of(out, DType.BF16), null);
        String card = Files.readString(out.resolve("README.md"));
        assertTrue(card.contains("CogVideoXImageToVideoPipeline.from_pretrained(\"THUDM/CogVideoX-5b-I2V\""), card);
        assertTrue(card.contains("image-to-video"), card);
        assertTrue(card.contains("720x480"), card);
        assertEquals(1.0, r.scale());
        assertTrue(r.notes().getFirst().contains("lora_alpha not found"));
    }

    @Test
    void mergeWritesShardedTransformerWithWPlusScaledBA() throws IOException {
        Path run = runFolder(CONFIG);
        Path base = tmp.resolve("base");
        Path transformer = base.resolve("transformer");
        Files.createDirectories(transformer);
        Files.writeString(base.resolve("README.md"), "---\nlicense: apache-2.0\ntags: [video]\n---\n# base\n");
        Files.writeString(transformer.resolve("config.json"), "{\"num_layers\": 2}");
        Random rnd = new Random(3);
        Map<String, float[]> baseWeights = new LinkedHashMap<>();
        SafetensorsWriter w = new SafetensorsWriter();
        for (int b = 0; b < BLOCKS; b++) {
            for (String t : TARGETS) {
                String key = "transformer_blocks." + b + ".attn1." + t + ".weight";
                baseWeights.put(key, randomFloats(rnd, DIM * DIM));
                w.addFloats(key, baseWeights.get(key), DIM, DIM);
                w.addFloats("transformer_blocks." + b + ".attn1." + t + ".bias", randomFloats(rnd, DIM), DIM);
            }
        }
        w.addFloats("norm_final.weight", randomFloats(rnd, DIM), DIM);
        w.write(transformer.resolve("diffusion_pytorch_model.safetensors"));

        Path out = tmp.resolve("out");
        LoraExporter.Result r = LoraExporter.export(RunFolder.open(run),
                ExportOptions.of(out, DType.F32).withMergeInto(transformer).withMaxShardBytes(600), null);
        Path merged = out.resolve("transformer");
        assertTrue(Files.isRegularFile(merged.resolve("config.json")));
        Map<?, ?> index = new ObjectMapper().readValue(merged.resolve(TransformerFolderWriter.INDEX).toFile(), Map.class);
        Map<?, ?> weightMap = (Map<?, ?>) index.get("weight_map");
        assertEquals(BLOCKS * TARGETS.length * 2 + 1, weightMap.size());
        assertTrue(new java.util.HashSet<>(weightMap.values()).size() > 1, "expected several shards: " + weightMap.values());
        assertTrue(r.files().contains("transformer/" + TransformerFolderWriter.INDEX));

        for (var e : baseWeights.entrySet()) {
            String m = e.getKey().substring(0, e.getKey().length() - ".weight".length());
            float[] a = loraValues.get(m + ".A");
            float[] bm = loraValues.get(m + ".B");
            float[] want = e.getValue().clone();
            for (int o = 0; o < DIM; o++) {
                for (int i = 0; i < DIM; i++) {
                    double s = 0;
                    for (int k = 0; k < RANK; k++) s += bm[o * RANK + k] * a[k * DIM + i];
                    want[o * DIM + i] += (float) (0.5 * s);
                }
            }
            try (SafetensorsFile f = SafetensorsFile.open(merged.resolve((String) weightMap.get(e.getKey())))) {
                float[] got = f.readFloats(e.getKey());
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-6, e.getKey() + "[" + i + "]");
            }
        }
        String card = Files.readString(out.resolve("README.md"));
        assertTrue(card.contains("license: apache-2.0"), card);
        assertTrue(card.contains("## Merged transformer"), card);
    }

    @Test
    void badInputsFailClearlyAndLeaveNothingBehind() throws IOException {
        Path run = runFolder("{\"rank\": 16}");
        IOException rank = assertThrows(IOException.class,
                () -> LoraExporter.export(RunFolder.open(run), ExportOptions.of(tmp.resolve("out"), DType.BF16), null));
        assertTrue(rank.getMessage().contains("says rank 16") && rank.getMessage().contains("4 rows"), rank.getMessage());
        assertFalse(Files.exists(tmp.resolve("out")));
        assertLeavesNoTempFolders();

        Path busy = tmp.resolve("busy");
        Files.createDirectories(busy);
        Files.writeString(busy.resolve("keep.txt"), "x");
        Files.writeString(run.resolve("config.json"), "{\"rank\": 4}");
        IOException exists = assertThrows(IOException.class,
                () -> LoraExporter.export(RunFolder.open(run), ExportOptions.of(busy, DType.BF16), null));
        assertTrue(exists.getMessage().contains("not empty"), exists.getMessage());
        LoraExporter.export(RunFolder.open(run), ExportOptions.of(busy, DType.BF16).withOverwrite(true), null);
        assertFalse(Files.exists(busy.resolve("keep.txt")));

        Path mergeBad = tmp.resolve("wrong-size");
        Files.createDirectories(mergeBad);
        Files.writeString(mergeBad.resolve("config.json"), "{}");
        new SafetensorsWriter().addFloats("transformer_blocks.0.attn1.to_q.weight", new float[4], 2, 2)
                .write(mergeBad.resolve("diffusion_pytorch_model.safetensors"));
        IOException size = assertThrows(IOException.class, () -> LoraExporter.export(RunFolder.open(run),
                ExportOptions.of(tmp.resolve("m"), DType.BF16).withMergeInto(mergeBad), null));
        assertTrue(size.getMessage().contains("transformer_blocks.0.attn1.to_q") && size.getMessage().contains("[2, 2]"), size.getMessage());
        assertFalse(Files.exists(tmp.resolve("m")));

        new SafetensorsWriter().addFloats("transformer.transformer_blocks.0.attn1.to_q.lora_A.weight", new float[8], 2, 4)
                .write(run.resolve(RunFolder.LORA_FILE));
        IOException half = assertThrows(IOException.class,
                () -> LoraExporter.export(RunFolder.open(run), ExportOptions.of(tmp.resolve("h"), DType.BF16), null));
        assertTrue(half.getMessage().contains("lora_A but no lora_B"), half.getMessage());
        assertLeavesNoTempFolders();
    }

    private void assertLeavesNoTempFolders() throws IOException {
        List<String> leftovers = new ArrayList<>();
        try (Stream<Path> s = Files.list(tmp)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".export-") || n.contains(".old-")).forEach(leftovers::add);
        }
        assertEquals(List.of(), leftovers);
    }
}
