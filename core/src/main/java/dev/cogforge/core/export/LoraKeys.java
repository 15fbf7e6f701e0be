package dev.cogforge.core.export;

/**
 * LoRA key conventions. diffusers/PEFT: {@code transformer.<module>.lora_A.weight} [rank, in] and
 * {@code .lora_B.weight} [out, rank], no alpha. kohya (read by kijai's ComfyUI-CogVideoXWrapper {@code merge_lora}):
 * {@code lora_unet_<module with '.'→'_'>.lora_down.weight} (= A), {@code .lora_up.weight} (= B), {@code .alpha}
 * (scalar; effective scale alpha/rank). The wrapper resolves the underscored name by walking attribute names from the
 * transformer root, so the module path must be the diffusers one, without the "transformer." prefix.
 */
public final class LoraKeys {
    public static final String DIFFUSERS_PREFIX = "transformer.";
    public static final String KOHYA_PREFIX = "lora_unet_";

    private LoraKeys() {}

    public static String diffusersA(String module) {
        return DIFFUSERS_PREFIX + module + ".lora_A.weight";
    }

    public static String diffusersB(String module) {
        return DIFFUSERS_PREFIX + module + ".lora_B.weight";
    }

    public static String kohyaBase(String module) {
        return KOHYA_PREFIX + module.replace('.', '_');
    }

    public static String kohyaDown(String module) {
        return kohyaBase(module) + ".lora_down.weight";
    }

    public static String kohyaUp(String module) {
        return kohyaBase(module) + ".lora_up.weight";
    }

    public static String kohyaAlpha(String module) {
        return kohyaBase(module) + ".alpha";
    }
}
