package dev.cogforge.core.pipeline;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A LoRA file applied at sampling time with an adapter weight (diffusers' {@code set_adapters(..., weights)}): the
 * adapter's update is multiplied by {@code weight} on top of its own {@code alpha / rank}.
 */
public record LoraSpec(Path path, double weight) {
    public LoraSpec {
        Objects.requireNonNull(path, "LoRA path");
        if (!Double.isFinite(weight)) throw new IllegalArgumentException("LoRA weight must be finite, got " + weight + " for " + path);
    }

    /**
     * Parses the CLI form {@code FILE[:weight]}. A colon followed by something that is not a number stays part of the
     * path (Windows drive letters, odd file names).
     */
    public static LoraSpec parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty --lora value; expected FILE[:weight]");
        int colon = text.lastIndexOf(':');
        if (colon > 0 && colon < text.length() - 1) {
            String tail = text.substring(colon + 1);
            try {
                return new LoraSpec(Path.of(text.substring(0, colon)), Double.parseDouble(tail));
            } catch (NumberFormatException notAWeight) {
                // fall through: the colon belongs to the path
            }
        }
        return new LoraSpec(Path.of(text), 1.0);
    }
}
