package dev.cogforge.core.nn;

import java.util.List;

/** A checkpoint does not fit a model: lists every missing, unexpected and mis-shaped key at once. */
public final class StateDictException extends java.io.IOException {
    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> misShaped;

    public StateDictException(String source, List<String> missing, List<String> unexpected, List<String> misShaped) {
        super(message(source, missing, unexpected, misShaped));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.misShaped = List.copyOf(misShaped);
    }

    public List<String> missing() {
        return missing;
    }

    public List<String> unexpected() {
        return unexpected;
    }

    public List<String> misShaped() {
        return misShaped;
    }

    private static String message(String source, List<String> missing, List<String> unexpected, List<String> misShaped) {
        StringBuilder b = new StringBuilder(source).append(" does not match the model:");
        if (!missing.isEmpty()) b.append("\n  missing (").append(missing.size()).append("): ").append(String.join(", ", missing));
        if (!unexpected.isEmpty()) b.append("\n  unexpected (").append(unexpected.size()).append("): ").append(String.join(", ", unexpected));
        if (!misShaped.isEmpty()) b.append("\n  wrong shape (").append(misShaped.size()).append("): ").append(String.join(", ", misShaped));
        return b.toString();
    }
}
