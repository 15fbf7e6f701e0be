package dev.cogforge.core.train.lr;

import dev.cogforge.core.train.config.RunConfig;

/**
 * diffusers' {@code get_scheduler} as a pure function of the optimizer step (the number of scheduler steps taken
 * before this update, starting at 0, so warmup schedules give lr 0 on the very first update exactly like the
 * factory). {@code cosine} uses diffusers' fixed half-cycle (num_cycles 0.5, get_scheduler does not forward
 * --lr_num_cycles to it); {@code cosine_with_restarts} uses the integer cycle count; {@code polynomial} decays to
 * {@code lrEnd} (1e-7) with {@code power}.
 */
public record LrSchedule(String type, double baseLr, long warmupSteps, long totalSteps, int numCycles, double power, double lrEnd) {

    public LrSchedule {
        switch (type) {
            case "constant", "constant_with_warmup", "linear", "cosine", "cosine_with_restarts", "polynomial" -> { }
            default -> throw new IllegalArgumentException("unknown lr scheduler '" + type + "'");
        }
        if (warmupSteps < 0) throw new IllegalArgumentException("warmup steps must be >= 0");
        if (type.equals("polynomial") && !(lrEnd < baseLr)) {
            throw new IllegalArgumentException("lr_end (" + lrEnd + ") must be smaller than the initial lr (" + baseLr + ")");
        }
    }

    public static LrSchedule of(RunConfig c, long totalSteps) {
        return new LrSchedule(c.lrScheduler, c.effectiveLearningRate(), c.lrWarmupSteps, totalSteps, c.lrNumCycles, c.lrPower, c.lrEnd);
    }

    public double lr(long step) {
        return baseLr * multiplier(step);
    }

    /** The factor diffusers' LambdaLR applies to the base lr at {@code step}. */
    public double multiplier(long step) {
        if (type.equals("constant")) return 1.0;
        if (step < warmupSteps) return (double) step / Math.max(1, warmupSteps);
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return switch (type) {
            case "constant_with_warmup" -> 1.0;
            case "linear" -> Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            case "cosine" -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            case "cosine_with_restarts" -> progress >= 1.0 ? 0.0
                    : Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * ((numCycles * progress) % 1.0))));
            case "polynomial" -> {
                if (step > totalSteps) yield lrEnd / baseLr;
                double range = baseLr - lrEnd;
                double decaySteps = totalSteps - warmupSteps;
                double remaining = 1 - (step - warmupSteps) / decaySteps;
                yield (range * Math.pow(remaining, power) + lrEnd) / baseLr;
            }
            default -> throw new IllegalStateException(type);
        };
    }
}
