package dev.cogforge.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class AttentionTest {
    private static Tensor randn(org.bytedeco.pytorch.Generator g, long... shape) {
        return torch.randn(shape, new GeneratorOptional(g), new TensorOptions(ScalarType.Float));
    }

    private static double maxAbsDiff(Tensor a, Tensor b) {
        float[] x = Tensors.toFloats(a), y = Tensors.toFloats(b);
        assertEquals(x.length, y.length);
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        return m;
    }

    @Test
    void sdpaMatchesNaiveForwardAndBackward() {
        Engine.ensureLoaded();
        try (PointerScope scope = new PointerScope()) {
            var g = torch.createCPUGenerator(7);
            long[] qShape = {2, 3, 37, 16};
            long[] kvShape = {2, 3, 29, 16};
            Tensor q = randn(g, qShape), k = randn(g, kvShape), v = randn(g, kvShape);
            Tensor gradOut = randn(g, qShape);
            for (double scale : new double[] {Attention.defaultScale(16), 0.37}) {
                Tensor[] viaSdpa = forwardBackward(q, k, v, gradOut, true, scale);
                Tensor[] viaNaive = forwardBackward(q, k, v, gradOut, false, scale);
                String[] what = {"output", "dq", "dk", "dv"};
                for (int i = 0; i < 4; i++) {
                    double err = maxAbsDiff(viaSdpa[i], viaNaive[i]);
                    assertTrue(err < 2e-5, what[i] + " differs by " + err + " at scale " + scale);
                }
            }
        }
    }

    @Test
    void defaultScaleIsInverseSqrtHeadDim() {
        try (PointerScope scope = new PointerScope()) {
            var g = torch.createCPUGenerator(3);
            Tensor q = randn(g, 1, 2, 5, 8), k = randn(g, 1, 2, 6, 8), v = randn(g, 1, 2, 6, 4);
            assertTrue(maxAbsDiff(Attention.sdpa(q, k, v), Attention.naive(q, k, v, 1 / Math.sqrt(8))) < 1e-5);
            assertArrayEquals(new long[] {1, 2, 5, 4}, Tensors.shape(Attention.sdpa(q, k, v)));
        }
    }

    @Test
    void mismatchedShapesAreRejectedWithBothShapes() {
        try (PointerScope scope = new PointerScope()) {
            var g = torch.createCPUGenerator(3);
            Tensor q = randn(g, 1, 1, 4, 8), k = randn(g, 1, 1, 4, 6);
            var e = assertThrows(IllegalArgumentException.class, () -> Attention.sdpa(q, k, k));
            assertTrue(e.getMessage().contains("[1, 1, 4, 8]") && e.getMessage().contains("[1, 1, 4, 6]"), e.getMessage());
        }
    }

    /**
     * CogVideoX-2b at 49 frames x 480x720 attends over 17,776 tokens. The score matrix would be 17776^2 x 4 bytes =
     * 1.26 GB (and the naive backward holds several of them); SDPA's CPU flash kernel works in blocks, so the peak
     * resident growth of a forward+backward stays a small multiple of the 4.5 MB inputs.
     */
    @Test
    void sdpaAt17776TokensDoesNotMaterialiseTheScoreMatrix() {
        Engine.ensureLoaded();
        long tokens = 17_776, headDim = 64;
        long scoreMatrixBytes = tokens * tokens * 4;
        MemoryMeter meter = MemoryMeter.of(ComputeDevice.CPU);
        try (PointerScope scope = new PointerScope()) {
            var g = torch.createCPUGenerator(11);
            Tensor q = randn(g, 1, 1, tokens, headDim).requires_grad_(true);
            Tensor k = randn(g, 1, 1, tokens, headDim).requires_grad_(true);
            Tensor v = randn(g, 1, 1, tokens, headDim).requires_grad_(true);
            meter.resetPeak();
            MemorySnapshot before = meter.snapshot();
            long start = System.nanoTime();
            Tensor out = Attention.sdpa(q, k, v);
            out.sum().backward();
            double seconds = (System.nanoTime() - start) / 1e9;
            MemorySnapshot after = meter.snapshot();
            long growth = after.peak() - before.current();
            System.out.printf("sdpa 17776 tokens fwd+bwd: %.2f s, peak RSS growth %s (score matrix would be %s), %d threads%n",
                    seconds, MemorySnapshot.mib(growth), MemorySnapshot.mib(scoreMatrixBytes), Engine.threads());
            assertTrue(after.peakSinceReset(), "peak RSS could not be reset on this platform");
            assertArrayEquals(new long[] {1, 1, tokens, headDim}, Tensors.shape(q.grad()));
            assertTrue(growth < 600L * 1024 * 1024,
                    "peak RSS grew by " + MemorySnapshot.mib(growth) + ": the score matrix was materialised");
        }
    }

    private static Tensor[] forwardBackward(Tensor q0, Tensor k0, Tensor v0, Tensor gradOut, boolean fused, double scale) {
        Tensor q = q0.detach().clone().requires_grad_(true);
        Tensor k = k0.detach().clone().requires_grad_(true);
        Tensor v = v0.detach().clone().requires_grad_(true);
        Tensor out = fused ? Attention.sdpa(q, k, v, scale) : Attention.naive(q, k, v, scale);
        out.mul(gradOut).sum().backward();
        return new Tensor[] {out.detach(), q.grad(), k.grad(), v.grad()};
    }
}
