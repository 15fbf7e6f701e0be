package dev.cogforge.core.train.config;

/** One finding of {@link RunConfigValidator}: the config key it concerns and what is wrong or risky. */
public record ConfigProblem(Severity severity, String key, String message) {
    public enum Severity { ERROR, WARNING }

    public static ConfigProblem error(String key, String message) {
        return new ConfigProblem(Severity.ERROR, key, message);
    }

    public static ConfigProblem warning(String key, String message) {
        return new ConfigProblem(Severity.WARNING, key, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + key + ": " + message;
    }
}
