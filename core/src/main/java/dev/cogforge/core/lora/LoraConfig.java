package dev.cogforge.core.lora;

import java.util.List;

/**
 * One LoRA adapter's hyper-parameters (peft {@code LoraConfig} subset used by the CogVideoX recipes).
 *
 * @param targetModules module-name suffixes to adapt: a module matches when its dotted name equals a target or ends
 *                      with {@code "." + target} (peft's rule), e.g. {@code to_q} or {@code to_out.0}
 */
public record LoraConfig(int rank, double alpha, List<String> targetModules, double dropout, Init init) {
    public static final List<String> DEFAULT_TARGETS = List.of("to_q", "to_k", "to_v", "to_out.0");

    /** peft's {@code init_lora_weights}: {@code True} (kaiming-uniform A, zero B) or {@code "gaussian"} (A ~ N(0, 1/r), zero B). */
    public enum Init { KAIMING_UNIFORM, GAUSSIAN }

    public LoraConfig {
        if (rank <= 0) throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
        if (!(alpha > 0)) throw new IllegalArgumentException("LoRA alpha must be positive, got " + alpha);
        if (dropout < 0 || dropout >= 1) throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        if (targetModules == null || targetModules.isEmpty()) throw new IllegalArgumentException("LoRA needs at least one target module");
        targetModules = List.copyOf(targetModules);
    }

    /** The factory's defaults: attention projections, no dropout, peft's default init. */
    public static LoraConfig of(int rank, double alpha) {
        return new LoraConfig(rank, alpha, DEFAULT_TARGETS, 0.0, Init.KAIMING_UNIFORM);
    }

    public double scale() {
        return alpha / rank;
    }

    public boolean matches(String moduleName) {
        for (String t : targetModules) {
            if (moduleName.equals(t) || moduleName.endsWith("." + t)) return true;
        }
        return false;
    }
}
