package dev.cogforge.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.fixtures.FixtureRunner;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** Reads the reference fixtures' bf16 and f32 weights and checks bf16 = upper 16 bits of the f32 value. */
class SafetensorsFileSmokeTest {
    @Test
    void bf16WeightsAreTheUpperHalfOfF32() throws Exception {
        Path dir = FixtureRunner.configuredRoot().resolve("transformer-2b-t2v");
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("fixture folder missing: " + dir.toAbsolutePath() + " (set -Dcogforge.fixtures)");
        }
        try (SafetensorsFile f32 = SafetensorsFile.open(dir.resolve("weights.safetensors"));
             SafetensorsFile bf16 = SafetensorsFile.open(dir.resolve("weights_bf16.safetensors"));
             PointerScope scope = new PointerScope()) {
            assertTrue(f32.names().size() > 10);
            for (String name : f32.names()) {
                if (!bf16.contains(name)) continue;
                assertEquals(DType.BF16, bf16.info(name).dtype());
                float[] a = f32.readFloats(name);
                float[] b = bf16.readFloats(name);
                Tensor t = bf16.load(name, ScalarType.Float);
                float[] viaTorch = Tensors.toFloats(t);
                for (int i = 0; i < a.length; i++) {
                    int truncated = Float.floatToRawIntBits(b[i]);
                    assertEquals(0, truncated & 0xffff, name);
                    assertTrue(Math.abs(a[i] - b[i]) <= Math.abs(a[i]) / 128 + 1e-30f, name);
                    assertEquals(b[i], viaTorch[i], name);
                }
            }
        }
    }
}
