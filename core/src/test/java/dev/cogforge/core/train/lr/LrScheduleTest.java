package dev.cogforge.core.train.lr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.cogforge.core.train.config.RunConfig;

class LrScheduleTest {
    private static LrSchedule s(String type, long warmup, long total) {
        return new LrSchedule(type, 1e-3, warmup, total, 1, 1.0, 1e-7);
    }

    @Test
    void constantIgnoresWarmup() {
        assertEquals(1e-3, s("constant", 10, 100).lr(0), 0);
        assertEquals(1e-3, s("constant", 10, 100).lr(500), 0);
    }

    @Test
    void warmupIsLinearFromZero() {
        LrSchedule c = s("constant_with_warmup", 10, 100);
        assertEquals(0.0, c.lr(0), 0);
        assertEquals(0.5e-3, c.lr(5), 1e-18);
        assertEquals(1e-3, c.lr(10), 0);
        assertEquals(1e-3, c.lr(99), 0);
    }

    @Test
    void linearDecay() {
        LrSchedule l = s("linear", 10, 110);
        assertEquals(1e-3, l.lr(10), 1e-18);
        assertEquals(0.5e-3, l.lr(60), 1e-18); // (110-60)/100
        assertEquals(0.0, l.lr(110), 0);
        assertEquals(0.0, l.lr(200), 0);
    }

    @Test
    void cosineIsAHalfCycle() {
        LrSchedule c = s("cosine", 0, 100);
        assertEquals(1e-3, c.lr(0), 1e-18);
        assertEquals(0.5e-3, c.lr(50), 1e-15); // 0.5(1+cos(pi/2))
        assertEquals(1e-3 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), c.lr(25), 1e-15); // 0.853553e-3
        assertEquals(0.0, c.lr(100), 1e-18);
    }

    @Test
    void cosineWithRestartsLikeTheSeedScripts() {
        // the shipped scripts: cosine_with_restarts, 1 cycle, 400 warmup, 3000 steps
        LrSchedule c = s("cosine_with_restarts", 400, 3000);
        assertEquals(0.0, c.lr(0), 0);
        assertEquals(0.5e-3, c.lr(200), 1e-18);
        assertEquals(1e-3, c.lr(400), 1e-18);
        assertEquals(0.5e-3, c.lr(1700), 1e-15); // halfway through the decay
        assertEquals(0.0, c.lr(3000), 0);
        LrSchedule two = new LrSchedule("cosine_with_restarts", 1.0, 0, 100, 2, 1, 1e-7);
        assertEquals(0.5, two.lr(25), 1e-12); // quarter of the run = half of the first cycle
        assertEquals(1.0, two.lr(50), 1e-12); // restart
        assertEquals(0.5, two.lr(75), 1e-12);
    }

    @Test
    void polynomialDecaysToLrEnd() {
        LrSchedule p = new LrSchedule("polynomial", 1e-3, 0, 100, 1, 2.0, 1e-7);
        assertEquals(1e-3, p.lr(0), 1e-18);
        // (1e-3 - 1e-7) * 0.5^2 + 1e-7
        assertEquals(0.00025007500000000003, p.lr(50), 1e-18);
        assertEquals(1e-7, p.lr(100), 1e-18);
        assertEquals(1e-7, p.lr(150), 1e-18);
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule("polynomial", 1e-8, 0, 10, 1, 1, 1e-7));
        assertThrows(IllegalArgumentException.class, () -> s("step", 0, 10));
    }

    @Test
    void fromRunConfigAppliesScaleLr() {
        RunConfig c = RunConfig.defaults();
        c.learningRate = 1e-4;
        c.scaleLr = true;
        c.trainBatchSize = 2;
        c.gradientAccumulationSteps = 3;
        c.lrScheduler = "linear";
        c.lrWarmupSteps = 0;
        LrSchedule s = LrSchedule.of(c, 10);
        assertEquals(6e-4, s.lr(0), 1e-18);
    }
}
