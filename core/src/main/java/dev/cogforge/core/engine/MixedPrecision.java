package dev.cogforge.core.engine;

import java.util.Locale;

/** The {@code --mixed_precision} choices of accelerate / the cogvideox-factory scripts. */
public enum MixedPrecision {
    NO("no"), FP16("fp16"), BF16("bf16");

    private final String cliName;

    MixedPrecision(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static MixedPrecision parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (MixedPrecision m : values()) if (m.cliName.equals(s)) return m;
        if (s.equals("none") || s.equals("fp32") || s.equals("float32")) return NO;
        throw new IllegalArgumentException("mixed precision '" + text + "' is not one of: no, fp16, bf16");
    }

    @Override
    public String toString() {
        return cliName;
    }
}
