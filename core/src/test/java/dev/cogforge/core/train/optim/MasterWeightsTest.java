package dev.cogforge.core.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;

/**
 * bf16 weights are updated through a float32 master copy in the optimizer state: at a fine-tuning learning rate each
 * Adam update (≈ lr) is far below half a bf16 step at 1.0 (2^-8), so updating the bf16 tensor directly would never
 * move it.
 */
class MasterWeightsTest {
    private static final int STEPS = 40;
    private static final double LR = 1e-4;

    private static float[] train(Function<List<NamedParam>, Optimizer> make, Path saveTo, long expectedStateBytes) throws Exception {
        Engine.ensureLoaded();
        try (PointerScope s = new PointerScope()) {
            Tensor p = Tensors.fromFloats(new float[] {1f, -1f, 0.75f}, 3).to(ScalarType.BFloat16);
            Tensor g = Tensors.fromFloats(new float[] {1f, -1f, 0.5f}, 3).to(ScalarType.BFloat16);
            try (Optimizer o = make.apply(List.of(new NamedParam("w", p)))) {
                for (int i = 0; i < STEPS; i++) o.step(List.of(g));
                assertEquals(expectedStateBytes, o.stateBytes(), "optimizer state bytes incl. the float32 master copy");
                if (saveTo != null) o.saveState(saveTo);
            }
            return Tensors.toFloats(p.to(ScalarType.Float));
        }
    }

    @Test
    void adamWMovesBf16WeightsBySubResolutionSteps(@TempDir Path dir) throws Exception {
        float[] w = train(ps -> AdamW.adamW(ps, LR, 0, 0.9, 0.999, 1e-8), dir, 3 * 3 * 4);
        // constant gradients: every Adam step is ≈ lr, so the float32 master moved by ≈ STEPS·lr = 4e-3
        try (var f = dev.cogforge.core.io.SafetensorsFile.open(dir.resolve(AbstractOptimizer.STATE_TENSORS))) {
            float[] master = f.readFloats("w." + AbstractOptimizer.MASTER_WEIGHTS);
            assertEquals(1 - STEPS * LR, master[0], 2e-5);
            assertEquals(-1 + STEPS * LR, master[1], 2e-5);
            assertEquals(0.75 - STEPS * LR, master[2], 2e-5);
            // and the bf16 weights are the master rounded to bf16 (not stuck at their start values)
            for (int i = 0; i < 3; i++) assertEquals(bf16(master[i]), w[i], 0f, "element " + i);
        }
        assertTrue(w[0] < 1f && w[1] > -1f, "bf16 weights moved: " + java.util.Arrays.toString(w));
    }

    @Test
    void eightBitAdamUsesTheMasterCopyToo() throws Exception {
        float[] eight = train(ps -> new AdamW8bit(List.of(new ParamGroup(ps, LR, 0)), 0.9, 0.999, 1e-8, true,
                AdamW8bit.DEFAULT_BLOCK_SIZE), null, 2 * 3 + 2 * 4 + 3 * 4);
        assertTrue(eight[0] < 1f, "8-bit AdamW moved the bf16 weight: " + eight[0]);
    }

    private static float bf16(float x) {
        try (PointerScope s = new PointerScope()) {
            return Tensors.toFloats(Tensors.fromFloats(new float[] {x}, 1).to(ScalarType.BFloat16).to(ScalarType.Float))[0];
        }
    }
}
