package dev.cogforge.core.train.optim;

import java.util.List;

import dev.cogforge.core.train.config.RunConfig;

/** Builds the optimizer a {@link RunConfig} names, with the factory's hyper-parameter mapping. */
public final class Optimizers {
    private Optimizers() {}

    public static Optimizer create(RunConfig c, List<NamedParam> params) {
        ParamGroup group = new ParamGroup(params, c.effectiveLearningRate(), c.weightDecay);
        List<ParamGroup> groups = List.of(group);
        return switch (c.optimizer) {
            case "adam" -> new AdamW(groups, c.beta1, c.beta2, c.epsilon, false);
            case "adamw" -> new AdamW(groups, c.beta1, c.beta2, c.epsilon, true);
            case "adam8bit" -> new AdamW8bit(groups, c.beta1, c.beta2, c.epsilon, false, AdamW8bit.DEFAULT_BLOCK_SIZE);
            case "adamw8bit" -> new AdamW8bit(groups, c.beta1, c.beta2, c.epsilon, true, AdamW8bit.DEFAULT_BLOCK_SIZE);
            case "prodigy" -> new Prodigy(groups, c.beta1, c.beta2, c.beta3, c.epsilon, c.prodigyDecouple,
                    c.prodigyUseBiasCorrection, c.prodigySafeguardWarmup, c.prodigyDCoef);
            default -> throw new IllegalArgumentException("unknown optimizer '" + c.optimizer + "'");
        };
    }
}
