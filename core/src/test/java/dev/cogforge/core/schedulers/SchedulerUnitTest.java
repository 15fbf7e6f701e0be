package dev.cogforge.core.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cogforge.core.engine.Tensors;

class SchedulerUnitTest {
    private static final SchedulerConfig COG_2B = SchedulerConfig.cogVideoX(3.0);
    private static final SchedulerConfig COG_5B = SchedulerConfig.cogVideoX(1.0);

    @Test
    void scheduleMatchesTheSpecReferenceValues() {
        double[] s3 = new NoiseSchedule(COG_2B).alphasCumprod();
        assertEquals(0.997454328, s3[0], 1e-9);
        assertEquals(0.994800626, s3[1], 1e-9);
        assertEquals(0.095969562, s3[499], 1e-9);
        assertEquals(6.2308e-8, s3[998], 1e-12);
        assertEquals(0.0, s3[999]);
        double[] s1 = new NoiseSchedule(COG_5B).alphasCumprod();
        assertEquals(0.99915, s1[0], 1e-12); // the rescale keeps ᾱ[0] = 1 − β[0]
        assertEquals(0.998233446, s1[1], 1e-9);
        assertEquals(0.242359167, s1[499], 1e-9);
        assertEquals(1.9679e-7, s1[998], 1e-11);
        assertEquals(0.0, s1[999]);
    }

    @Test
    void trailingTimestepsAndTheIntegerStepQuirk() {
        CogVideoXDdimScheduler s = new CogVideoXDdimScheduler(COG_2B);
        long[] t50 = s.setTimesteps(50);
        assertEquals(50, t50.length);
        assertEquals(999, t50[0]);
        assertEquals(979, t50[1]);
        assertEquals(19, t50[49]);
        assertEquals(979, s.prevTimestep(999));

        long[] t30 = s.setTimesteps(30);
        assertEquals(30, t30.length);
        // arange(1000, 0, -33.33) = 1000, 966.67, 933.33, 900, ... rounded half-to-even, minus 1
        assertArrayEquals(new long[] {999, 966, 932, 899}, java.util.Arrays.copyOf(t30, 4));
        assertEquals(32, t30[29]);
        // 1000 // 30 = 33, so step() jumps 999 -> 966 -> 933 although the next listed timestep is 932
        assertEquals(966, s.prevTimestep(999));
        assertEquals(899, s.prevTimestep(932));
    }

    @Test
    void leadingAndLinspaceSpacings() {
        NoiseSchedule leading = new NoiseSchedule(new SchedulerConfig(1000, 0.00085, 0.012, "scaled_linear", null, "v_prediction",
                true, true, false, 1, 1, 1, "leading", 3.0));
        assertArrayEquals(new long[] {751, 501, 251, 1}, leading.timesteps(4));
        NoiseSchedule linspace = new NoiseSchedule(COG_2B.withTimestepSpacing("linspace"));
        assertArrayEquals(new long[] {999, 666, 333, 0}, linspace.timesteps(4));
        assertArrayEquals(new long[] {0}, linspace.timesteps(1));
        assertThrows(IllegalArgumentException.class, () -> linspace.timesteps(0));
        assertThrows(IllegalArgumentException.class, () -> linspace.timesteps(1001));
    }

    @Test
    void configReadsDiffusersKeysWithUpstreamDefaults(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("scheduler_config.json");
        Files.writeString(file, """
                {"_class_name": "CogVideoXDDIMScheduler", "_diffusers_version": "0.30.0", "beta_schedule": "scaled_linear",
                 "prediction_type": "v_prediction", "rescale_betas_zero_snr": true, "timestep_spacing": "trailing",
                 "snr_shift_scale": 1.0}
                """);
        SchedulerConfig c = SchedulerConfig.read(file);
        assertEquals(1000, c.numTrainTimesteps());
        assertEquals(0.00085, c.betaStart());
        assertEquals("v_prediction", c.predictionType());
        assertEquals(1.0, c.snrShiftScale());
        assertTrue(c.setAlphaToOne());
        assertEquals(0, c.stepsOffset());

        Files.writeString(file, "{\"beta_schedule\": \"squaredcos_cap_v2\"}");
        IOException bad = assertThrows(IOException.class, () -> SchedulerConfig.read(file));
        assertTrue(bad.getMessage().contains("scheduler_config.json") && bad.getMessage().contains("squaredcos_cap_v2"), bad.getMessage());

        Files.writeString(file, "{\"num_train_timesteps\": \"1000\"}");
        IOException wrongType = assertThrows(IOException.class, () -> SchedulerConfig.read(file));
        assertTrue(wrongType.getMessage().contains("num_train_timesteps"), wrongType.getMessage());
    }

    @Test
    void linearScheduleIsComputedInFloat32LikeDiffusers() {
        SchedulerConfig linear = new SchedulerConfig(1000, 0.0001, 0.02, "linear", null, "epsilon", false, true, false, 1, 1, 0,
                "leading", 1.0);
        NoiseSchedule s = new NoiseSchedule(linear);
        assertTrue(s.float32Tables());
        double[] b = s.betas();
        assertEquals((double) 0.0001f, b[0]);
        assertEquals((double) 0.02f, b[999]);
        double[] acp = s.alphasCumprod();
        assertEquals((double) (float) (1.0 - (double) 0.0001f), acp[0]);
        for (double v : acp) assertEquals((double) (float) v, v); // every value is a float32
    }

    @Test
    void ddimFirstStepAtZeroTerminalSnrPredictsMinusV() {
        try (PointerScope scope = new PointerScope()) {
            CogVideoXDdimScheduler s = new CogVideoXDdimScheduler(COG_2B);
            s.setTimesteps(50);
            Tensor v = Tensors.fromFloats(new float[] {0.5f, -2f}, 1, 2);
            Tensor x = Tensors.fromFloats(new float[] {1f, 3f}, 1, 2);
            SchedulerStep step = s.step(v, 999, x);
            assertArrayEquals(new float[] {-0.5f, 2f}, Tensors.toFloats(step.predOriginalSample()));
            double ap = s.schedule().alphaCumprod(979);
            double a = Math.sqrt(1 - ap);
            double b = Math.sqrt(ap);
            float[] got = Tensors.toFloats(step.prevSample());
            assertEquals((float) a * 1f + (float) b * -0.5f, got[0], 1e-7);
            assertEquals((float) a * 3f + (float) b * 2f, got[1], 1e-7);
        }
    }

    @Test
    void dpmDrawsTwiceOnlyOnSecondOrderStepsAndLandsOnX0() {
        try (PointerScope scope = new PointerScope()) {
            CogVideoXDpmScheduler s = new CogVideoXDpmScheduler(COG_5B);
            long[] ts = s.setTimesteps(2); // 999, 499; step size 500
            Tensor x = Tensors.fromFloats(new float[] {1f, -1f, 0.5f}, 1, 3);
            Tensor v = Tensors.fromFloats(new float[] {0.2f, 0.1f, -0.3f}, 1, 3);
            Tensor n1 = Tensors.fromFloats(new float[] {1f, 1f, 1f}, 1, 3);
            Tensor n2 = Tensors.fromFloats(new float[] {2f, 2f, 2f}, 1, 3);

            RecordedNoise first = RecordedNoise.of(n1, n2);
            SchedulerStep a = s.stepAt(0, v, null, x, first);
            assertEquals(1, first.used());
            // ᾱ_999 = 0: x0 = −v, and the step is sqrt(ᾱ_p)·x0 + sqrt(1−ᾱ_p)·noise
            double ap = s.schedule().alphaCumprod(499);
            float[] prev = Tensors.toFloats(a.prevSample());
            assertEquals((float) Math.sqrt(ap) * -0.2f + (float) Math.sqrt(1 - ap) * 1f, prev[0], 1e-6);

            // last step: prev_t < 0 so it stays first order and returns exactly x0 (σ = 0, mult1 = 0)
            RecordedNoise second = RecordedNoise.of(n1, n2);
            SchedulerStep b = s.stepAt(1, v, a.predOriginalSample(), a.prevSample(), second);
            assertEquals(1, second.used());
            assertArrayEquals(Tensors.toFloats(b.predOriginalSample()), Tensors.toFloats(b.prevSample()), 1e-6f);

            CogVideoXDpmScheduler three = new CogVideoXDpmScheduler(COG_5B);
            three.setTimesteps(3);
            RecordedNoise mid = RecordedNoise.of(n1, n2);
            three.stepAt(1, v, a.predOriginalSample(), x, mid);
            assertEquals(2, mid.used());
            assertThrows(IllegalArgumentException.class,
                    () -> three.step(v, a.predOriginalSample(), 666, OptionalLong.empty(), x, RecordedNoise.of(n1, n2)));
            assertThrows(IllegalStateException.class, () -> three.stepAt(1, v, a.predOriginalSample(), x, RecordedNoise.of(n1)));
        }
    }

    @Test
    void stepBeforeSetTimestepsIsRejected() {
        CogVideoXDdimScheduler s = new CogVideoXDdimScheduler(COG_2B);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.prevTimestep(999));
        assertTrue(e.getMessage().contains("setTimesteps"));
    }

    @Test
    void trainingNoiseWeightsLossAndX0Recovery() {
        try (PointerScope scope = new PointerScope()) {
            TrainingNoise tn = new TrainingNoise(COG_2B);
            Tensor t = Tensors.fromLongs(new long[] {0, 500}, 2);
            float a0 = tn.alphasCumprod(0)[0];
            float a500 = tn.alphasCumprod(500)[0];
            assertArrayEquals(new float[] {1f / (1f - a0), 1f / (1f - a500)}, Tensors.toFloats(tn.lossWeights(t, 3)));
            assertArrayEquals(new long[] {2, 1, 1}, Tensors.shape(tn.lossWeights(t, 3)));

            Tensor x0 = Tensors.fromFloats(new float[] {1f, 2f, -1f, 0.5f}, 2, 2);
            Tensor noise = Tensors.fromFloats(new float[] {0.3f, -0.7f, 1.1f, 0.2f}, 2, 2);
            Tensor noisy = tn.addNoise(x0, noise, t);
            Tensor vTarget = tn.velocityTarget(x0, noise, t);
            // a perfect v-prediction gives back x0 through the factory's swapped get_velocity
            assertArrayEquals(Tensors.toFloats(x0), Tensors.toFloats(tn.predictedOriginal(vTarget, noisy, t)), 1e-6f);

            Tensor pred = Tensors.fromFloats(new float[] {1.5f, 2f, -1f, 1.5f}, 2, 2);
            double w0 = 1f / (1f - a0);
            double w1 = 1f / (1f - a500);
            double expected = ((w0 * 0.25 + 0) / 2 + (0 + w1 * 1.0) / 2) / 2;
            assertEquals(expected, tn.weightedMseLoss(pred, x0, t).item_double(), 1e-6 * expected);

            try (GeneratorNoise g = NoiseSource.seeded(7)) {
                long[] sampled = longs(tn.sampleTimesteps(64, g));
                for (long s : sampled) assertTrue(s >= 0 && s < 1000);
                assertFalse(java.util.Arrays.stream(sampled).distinct().count() < 10);
            }
        }
    }

    @Test
    void guidanceCombineAndDynamicScale() {
        try (PointerScope scope = new PointerScope()) {
            Tensor batched = Tensors.fromFloats(new float[] {1f, 2f, 3f, 5f}, 2, 2); // [uncond; cond]
            assertArrayEquals(new float[] {1f + 6f * 2f, 2f + 6f * 3f}, Tensors.toFloats(Guidance.combineBatched(batched, 6)));
            assertThrows(IllegalArgumentException.class, () -> Guidance.combineBatched(Tensors.fromFloats(new float[] {1f}, 1, 1), 6));
        }
        assertEquals(7.0, Guidance.dynamicScale(6, 0, 50), 1e-12);
        assertEquals(1.0, Guidance.dynamicScale(6, 50, 50), 1e-12);
        // ((50 − 25)/50)^5 = 1/32: 1 + 6·(1 − cos(π/32))/2
        assertEquals(1 + 6 * (1 - Math.cos(Math.PI / 32)) / 2, Guidance.dynamicScale(6, 25, 50), 1e-15);
        assertEquals(1.0144458199834092, Guidance.dynamicScale(6, 25, 50), 1e-12);
        // the pipeline feeds the timestep value, so t = 999 gives a large negative base (values from Python's math)
        assertEquals(2.291487174551452, Guidance.dynamicScale(6, 999, 50), 1e-9);
        assertEquals(1.123397939968981, Guidance.dynamicScale(6, 19, 50), 1e-12);
        assertTrue(Guidance.enabled(6));
        assertFalse(Guidance.enabled(1));
    }

    private static long[] longs(Tensor t) {
        double[] d = Tensors.toDoubles(t);
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (long) d[i];
        return out;
    }
}
