package dev.cogforge.core.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.FixtureRunner;
import dev.cogforge.core.io.SafetensorsFile;
import dev.cogforge.core.io.SafetensorsWriter;
import dev.cogforge.core.models.cogvideox.CogVideoXTransformer3D;
import dev.cogforge.core.models.cogvideox.TinyModels;
import dev.cogforge.core.models.cogvideox.TransformerConfig;
import dev.cogforge.core.nn.Parameter;

class LoraTest {
    @TempDir
    Path tmp;

    private static CogVideoXTransformer3D tiny() throws Exception {
        CogVideoXTransformer3D m = new CogVideoXTransformer3D(TinyModels.config(false, 2));
        m.initializeRandom(3, 0.2);
        return m;
    }

    private static float[] run(CogVideoXTransformer3D m) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            var gen = torch.createCPUGenerator(9);
            TensorOptions f32 = new TensorOptions(ScalarType.Float);
            Tensor x = torch.randn(new long[] {1, 2, 4, 8, 8}, new GeneratorOptional(gen), f32);
            Tensor text = torch.randn(new long[] {1, 6, 12}, new GeneratorOptional(gen), f32);
            return Tensors.toFloats(m.forward(x, text, Tensors.fromLongs(new long[] {500}, 1), null, null));
        }
    }

    private static void randomizeB(CogVideoXTransformer3D m, String adapter, long seed) {
        var g = torch.createCPUGenerator(seed);
        LoraInjector.adapterParameters(m, adapter).forEach((k, p) -> {
            if (k.endsWith("lora_B.weight")) {
                try (PointerScope s = new PointerScope()) {
                    p.set(torch.randn(p.shape(), new GeneratorOptional(g), new TensorOptions(ScalarType.Float)).mul(new Scalar(0.3)));
                }
            }
        });
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    @Test
    void injectionStartsAsIdentityFreezesBaseAndNamesLikePeft() throws Exception {
        try (CogVideoXTransformer3D m = tiny()) {
            float[] before = run(m);
            Map<String, LoraLinear> layers = LoraInjector.inject(m, LoraConfig.of(2, 4), "default", 1);
            assertEquals(8, layers.size()); // 2 blocks x to_q/to_k/to_v/to_out.0
            assertTrue(layers.containsKey("transformer_blocks.1.attn1.to_out.0"));
            assertTrue(m.stateDict().containsKey("transformer_blocks.0.attn1.to_q.lora_A.default.weight"));
            assertTrue(m.stateDict().containsKey("transformer_blocks.0.attn1.to_q.weight"));
            Parameter a = m.stateDict().get("transformer_blocks.0.attn1.to_q.lora_A.default.weight");
            assertEquals(List.of(2L, 32L), java.util.Arrays.stream(a.shape()).boxed().toList());
            double bound = 1 / Math.sqrt(32);
            for (float v : Tensors.toFloats(a.get())) assertTrue(Math.abs(v) <= bound);
            assertTrue(a.get().requires_grad());
            assertFalse(m.stateDict().get("transformer_blocks.0.attn1.to_q.weight").get().requires_grad());
            assertEquals(0.0, maxDiff(before, run(m)));
        }
    }

    @Test
    void mergeUnmergeAndAdapterWeights() throws Exception {
        try (CogVideoXTransformer3D m = tiny()) {
            float[] base = run(m);
            LoraInjector.inject(m, LoraConfig.of(2, 4), "a", 1);
            randomizeB(m, "a", 2);
            float[] withA = run(m);
            assertTrue(maxDiff(base, withA) > 1e-3);
            Map<String, LoraLinear> layers = LoraInjector.loraLayers(m);
            layers.values().forEach(l -> l.merge("a"));
            assertTrue(maxDiff(withA, run(m)) < 1e-5, "merged output differs");
            layers.values().forEach(l -> l.unmerge("a"));
            assertTrue(maxDiff(withA, run(m)) < 1e-5);
            layers.values().forEach(l -> l.setAdapterWeight("a", 0.0));
            assertTrue(maxDiff(base, run(m)) < 1e-6, "weight 0 must disable the adapter");
            layers.values().forEach(l -> l.setAdapterWeight("a", 1.0));
            LoraInjector.inject(m, LoraConfig.of(3, 3), "b", 4);
            randomizeB(m, "b", 5);
            float[] both = run(m);
            layers.values().forEach(l -> l.setActiveAdapters(List.of("a")));
            assertTrue(maxDiff(withA, run(m)) < 1e-6);
            layers.values().forEach(l -> l.setActiveAdapters(List.of("a", "b")));
            assertTrue(maxDiff(both, run(m)) < 1e-6);
        }
    }

    @Test
    void saveAndLoadRoundTripInDiffusersFormat() throws Exception {
        Path file = tmp.resolve("pytorch_lora_weights.safetensors");
        float[] expected;
        LoraConfig cfg = LoraConfig.of(2, 4);
        try (CogVideoXTransformer3D m = tiny()) {
            LoraInjector.inject(m, cfg, "default", 1);
            randomizeB(m, "default", 2);
            expected = run(m);
            LoraFiles.save(file, m, "default", cfg, ScalarType.Float);
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals("pt", f.metadata().get("format"));
            assertTrue(f.metadata().get(LoraFiles.METADATA_KEY).contains("\"transformer.lora_alpha\":4.0"));
            assertTrue(f.contains("transformer.transformer_blocks.0.attn1.to_q.lora_A.weight"));
            assertTrue(f.contains("transformer.transformer_blocks.1.attn1.to_out.0.lora_B.weight"));
            assertEquals(16, f.names().size());
        }
        try (CogVideoXTransformer3D m = tiny()) {
            LoraFiles.load(file, m, "x", 1.0);
            // alpha 4 / rank 2 read back from the metadata
            assertEquals(2.0, LoraInjector.loraLayers(m).values().iterator().next().adapter("x").effectiveScale());
            assertTrue(maxDiff(expected, run(m)) < 1e-6);
        }
    }

    @Test
    void kohyaNamesWithAlphaConvert() throws Exception {
        Path diffusers = tmp.resolve("d.safetensors");
        Path kohya = tmp.resolve("k.safetensors");
        float[] expected;
        try (CogVideoXTransformer3D m = tiny()) {
            LoraConfig cfg = LoraConfig.of(2, 2);
            LoraInjector.inject(m, cfg, "default", 1);
            randomizeB(m, "default", 2);
            expected = run(m);
            SafetensorsWriter w = new SafetensorsWriter();
            for (var e : LoraInjector.adapterParameters(m, "default").entrySet()) {
                String module = e.getKey().substring(0, e.getKey().indexOf(".lora_"));
                String k = "lora_unet_" + module.replace('.', '_');
                w.add(k + (e.getKey().contains("lora_A") ? ".lora_down.weight" : ".lora_up.weight"), e.getValue().get().detach());
                if (e.getKey().contains("lora_A")) w.addFloats(k + ".alpha", new float[] {2f});
            }
            w.write(kohya);
            LoraFiles.save(diffusers, m, "default", cfg, ScalarType.Float);
        }
        try (CogVideoXTransformer3D m = tiny(); SafetensorsFile f = SafetensorsFile.open(kohya)) {
            LoraFiles.Contents c = LoraFiles.read(f, m.namedModules().keySet());
            assertEquals(8, c.entries().size());
            assertTrue(c.format().startsWith("kohya"));
            LoraFiles.load(kohya, m, "k", 1.0);
            assertTrue(maxDiff(expected, run(m)) < 1e-6);
        }
    }

    @Test
    void shapesThatDoNotFitAreListed() throws Exception {
        Path bad = tmp.resolve("bad.safetensors");
        new SafetensorsWriter()
                .addFloats("transformer.transformer_blocks.0.attn1.to_q.lora_A.weight", new float[2 * 5], 2, 5)
                .addFloats("transformer.transformer_blocks.0.attn1.to_q.lora_B.weight", new float[32 * 2], 32, 2)
                .addFloats("transformer.transformer_blocks.1.attn1.to_k.lora_A.weight", new float[2 * 32], 2, 32)
                .addFloats("transformer.transformer_blocks.1.attn1.to_k.lora_B.weight", new float[7 * 2], 7, 2)
                .write(bad);
        try (CogVideoXTransformer3D m = tiny()) {
            var e = assertThrows(java.io.IOException.class, () -> LoraFiles.load(bad, m, "x", 1.0));
            assertTrue(e.getMessage().contains("transformer_blocks.0.attn1.to_q"), e.getMessage());
            assertTrue(e.getMessage().contains("transformer_blocks.1.attn1.to_k"), e.getMessage());
            assertTrue(LoraInjector.loraLayers(m).isEmpty(), "nothing may be injected when a shape is wrong");
        }
    }

    @Test
    void fixtureDiffusersLoraLoadsOntoTheFixtureModel() throws Exception {
        Path dir = FixtureRunner.configuredRoot().resolve("lora-train-step");
        assertTrue(Files.isDirectory(dir), dir + " missing");
        try (CogVideoXTransformer3D m = new CogVideoXTransformer3D(TransformerConfig.read(dir.resolve("config.json")));
                SafetensorsFile after = SafetensorsFile.open(dir.resolve("outputs.safetensors"))) {
            m.loadStateDict(SafetensorsFile.open(dir.resolve("weights.safetensors")), ScalarType.Float, null);
            Map<String, LoraLinear> layers = LoraFiles.load(dir.resolve("lora_diffusers.safetensors"), m, "fixture", 1.0);
            assertFalse(layers.isEmpty());
            for (var e : LoraInjector.adapterParameters(m, "fixture").entrySet()) {
                float[] ref = after.readFloats("after." + e.getKey());
                assertEquals(0.0, maxDiff(ref, Tensors.toFloats(e.getValue().get())), e.getKey());
            }
            // no alpha metadata in the fixture file: diffusers' default alpha = rank, scale 1
            assertEquals(1.0, layers.values().iterator().next().adapter("fixture").effectiveScale());
        }
    }
}
