package dev.cogforge.core.data;

import java.nio.file.Path;

/** One finding about a dataset: where it is ({@code line} 0 = the whole file) and how bad it is. */
public record Problem(Severity severity, Path file, int line, String message) {
    public enum Severity { ERROR, WARNING }

    public static Problem error(Path file, int line, String message) {
        return new Problem(Severity.ERROR, file, line, message);
    }

    public static Problem warning(Path file, int line, String message) {
        return new Problem(Severity.WARNING, file, line, message);
    }

    public String location() {
        String f = file == null ? "(dataset)" : file.toString();
        return line > 0 ? f + ":" + line : f;
    }

    @Override
    public String toString() {
        return (severity == Severity.ERROR ? "error  " : "warning") + "  " + location() + "  " + message;
    }
}
