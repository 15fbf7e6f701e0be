package dev.cogforge.core.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.engine.Engine;
import dev.cogforge.core.engine.Tensors;
import dev.cogforge.core.train.config.RunConfig;

class OptimizersTest {
    private static final float[] P = {1f, -2f, 3f, 0.5f};
    private static final float[] G = {0.1f, 0.25f, -0.3f, 0f};

    private static float[] oneStep(Function<List<NamedParam>, Optimizer> make) {
        Engine.ensureLoaded();
        try (PointerScope s = new PointerScope()) {
            Tensor p = Tensors.fromFloats(P.clone(), 4);
            try (Optimizer o = make.apply(List.of(new NamedParam("w", p)))) {
                o.step(List.of(Tensors.fromFloats(G, 4)));
                assertEquals(1, o.stepCount());
            }
            return Tensors.toFloats(p);
        }
    }

    @Test
    void adamFirstStepMatchesClosedForm() {
        double lr = 0.01, wd = 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        float[] got = oneStep(ps -> AdamW.adam(ps, lr, wd, b1, b2, eps));
        for (int i = 0; i < P.length; i++) {
            double g = G[i] + wd * P[i]; // coupled L2
            double m = (1 - b1) * g, v = (1 - b2) * g * g;
            double expect = P[i] - lr / (1 - b1) * m / (Math.sqrt(v) / Math.sqrt(1 - b2) + eps);
            assertEquals(expect, got[i], 1e-6, "adam element " + i);
        }
        float[] gotW = oneStep(ps -> AdamW.adamW(ps, lr, wd, b1, b2, eps));
        for (int i = 0; i < P.length; i++) {
            double g = G[i];
            double decayed = P[i] * (1 - lr * wd);
            double expect = g == 0 ? decayed : decayed - lr * g / (Math.abs(g) + eps);
            assertEquals(expect, gotW[i], 1e-6, "adamw element " + i);
        }
    }

    /** f(x) = 0.5 Σ a_i (x_i - t_i)²; returns the loss after each step. */
    private static double[] quadratic(Function<List<NamedParam>, Optimizer> make, int n, int steps, float[] finalX) {
        Random r = new Random(7);
        float[] x0 = new float[n], t = new float[n], a = new float[n];
        for (int i = 0; i < n; i++) {
            x0[i] = (float) r.nextGaussian();
            t[i] = (float) r.nextGaussian();
            a[i] = (float) Math.exp(r.nextGaussian()); // curvatures over about two decades
        }
        double[] losses = new double[steps + 1];
        try (PointerScope s = new PointerScope()) {
            Tensor x = Tensors.fromFloats(x0, n);
            Tensor tt = Tensors.fromFloats(t, n);
            Tensor aa = Tensors.fromFloats(a, n);
            try (Optimizer o = make.apply(List.of(new NamedParam("x", x)))) {
                for (int k = 0; k <= steps; k++) {
                    try (PointerScope inner = new PointerScope()) {
                        Tensor diff = x.sub(tt);
                        losses[k] = diff.mul(diff).mul(aa).sum().item_double() * 0.5;
                        if (k < steps) o.step(List.of(diff.mul(aa)));
                    }
                }
            }
            if (finalX != null) System.arraycopy(Tensors.toFloats(x), 0, finalX, 0, n);
        }
        return losses;
    }

    @Test
    void adamW8bitTracksAdamW() {
        Engine.ensureLoaded();
        int n = 5000; // several blocks and a partial last one
        float[] x32 = new float[n], x8 = new float[n];
        double[] l32 = quadratic(ps -> AdamW.adamW(ps, 0.01, 1e-2, 0.9, 0.95, 1e-8), n, 50, x32);
        double[] l8 = quadratic(ps -> new AdamW8bit(List.of(new ParamGroup(ps, 0.01, 1e-2)), 0.9, 0.95, 1e-8, true, 256), n, 50, x8);
        double maxDiff = 0, meanDiff = 0;
        for (int i = 0; i < n; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(x32[i] - x8[i]));
            meanDiff += Math.abs(x32[i] - x8[i]) / n;
        }
        System.out.printf("quadratic 50 steps: loss %.4f -> adamw %.4f, adamw8bit %.4f; |x8 - x32| mean %.5f max %.4f (travel per step 0.01)%n",
                l32[0], l32[50], l8[50], meanDiff, maxDiff);
        assertTrue(Math.abs(l8[50] - l32[50]) < 0.02 * l32[0], "losses track");
        // the largest deviations sit where the gradient is near zero and Adam's direction is a coin flip anyway
        assertTrue(meanDiff < 0.025, "8-bit trajectory stays within 5% of the total travel on average, got " + meanDiff);
        assertTrue(maxDiff < 0.25, "worst element within half the total travel, got " + maxDiff);
        assertTrue(l8[50] < 0.7 * l8[0]);
    }

    @Test
    void prodigyDecreasesAQuadraticAndGrowsD() {
        Engine.ensureLoaded();
        Prodigy[] ref = new Prodigy[1];
        double[] l = quadratic(ps -> {
            ref[0] = new Prodigy(List.of(new ParamGroup(ps, 1.0, 0.0)), 0.9, 0.99, null, 1e-8, true, false, false, 1.0);
            return ref[0];
        }, 1000, 200, null);
        System.out.printf("prodigy: loss %.4f -> %.4f (step 50 %.4f), d %.3e%n", l[0], l[200], l[50], ref[0].d());
        assertTrue(l[200] < 0.2 * l[0], "loss " + l[0] + " -> " + l[200]);
        assertTrue(ref[0].d() > Prodigy.DEFAULT_D0 * 100, "d grew from 1e-6 to " + ref[0].d());
    }

    @Test
    void stateRoundTripsThroughFiles(@TempDir Path dir) throws Exception {
        Engine.ensureLoaded();
        for (String type : List.of("adam", "adamw", "adamw8bit", "prodigy")) {
            RunConfig c = RunConfig.defaults();
            c.optimizer = type;
            c.learningRate = type.equals("prodigy") ? 1.0 : 1e-2;
            float[][] results = new float[2][];
            for (int variant = 0; variant < 2; variant++) {
                try (PointerScope s = new PointerScope()) {
                    Tensor a = Tensors.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
                    Tensor b = Tensors.fromFloats(new float[] {-1, 0.5f}, 2);
                    List<NamedParam> ps = List.of(new NamedParam("blocks.0.to_q.lora_A.weight", a), new NamedParam("b", b));
                    Optimizer o = Optimizers.create(c, ps);
                    for (int k = 0; k < 3; k++) o.step(grads(k));
                    Path sd = dir.resolve(type);
                    if (variant == 1) {
                        o.saveState(sd);
                        o.close();
                        o = Optimizers.create(c, ps);
                        o.loadState(sd);
                        assertEquals(3, o.stepCount());
                    }
                    for (int k = 3; k < 5; k++) o.step(grads(k));
                    List<Float> all = new ArrayList<>();
                    for (float f : Tensors.toFloats(a)) all.add(f);
                    for (float f : Tensors.toFloats(b)) all.add(f);
                    results[variant] = new float[all.size()];
                    for (int i = 0; i < all.size(); i++) results[variant][i] = all.get(i);
                    o.close();
                }
            }
            assertArrayEquals(results[0], results[1], type + ": resumed optimizer continues identically");
        }
        RunConfig c = RunConfig.defaults();
        c.optimizer = "adamw";
        try (PointerScope s = new PointerScope(); Optimizer o = Optimizers.create(c, List.of(new NamedParam("x", Tensors.fromFloats(new float[] {1}, 1))))) {
            assertThrows(Exception.class, () -> o.loadState(dir.resolve("prodigy")), "type mismatch is refused");
        }
    }

    private static List<Tensor> grads(int k) {
        return List.of(Tensors.fromFloats(new float[] {0.1f * k, -0.2f, 0.3f, 0.05f * k, -0.5f, 0.01f}, 2, 3),
                Tensors.fromFloats(new float[] {0.2f, -0.1f * k}, 2));
    }

    @Test
    void eightBitStateIsAboutTwoBytesPerParameter() {
        Engine.ensureLoaded();
        try (PointerScope s = new PointerScope()) {
            int n = 100_000;
            Tensor x = Tensors.fromFloats(new float[n], n);
            try (AdamW8bit o = new AdamW8bit(List.of(new ParamGroup(List.of(new NamedParam("x", x)), 1e-3, 0)), 0.9, 0.95, 1e-8, true, 256)) {
                o.step(List.of(Tensors.fromFloats(new float[n], n)));
                double perParam = (double) o.stateBytes() / n;
                System.out.printf("adamw8bit state: %.4f bytes/param%n", perParam);
                assertEquals(2.03, perParam, 0.01);
            }
        }
    }

    @Test
    void clipGradNormUsesParamsGrads() {
        Engine.ensureLoaded();
        try (PointerScope s = new PointerScope()) {
            Tensor p = Tensors.fromFloats(new float[] {1, 1}, 2);
            p.requires_grad_(true);
            p.mul(Tensors.fromFloats(new float[] {3, 4}, 2)).sum().backward();
            double norm = ClipGrad.clipGradNorm(List.of(p), 1.0);
            assertEquals(5.0, norm, 1e-6);
            float[] g = Tensors.toFloats(p.grad());
            assertEquals(3.0 / (5 + 1e-6), g[0], 1e-6);
            assertEquals(4.0 / (5 + 1e-6), g[1], 1e-6);
        }
    }
}
