package dev.cogforge.core.train.config;

import java.util.List;

/** Every problem found in a run config, errors and warnings together, in check order. */
public record ValidationReport(List<ConfigProblem> problems) {
    public ValidationReport {
        problems = List.copyOf(problems);
    }

    public List<ConfigProblem> errors() {
        return problems.stream().filter(ConfigProblem::isError).toList();
    }

    public List<ConfigProblem> warnings() {
        return problems.stream().filter(p -> !p.isError()).toList();
    }

    public boolean isValid() {
        return errors().isEmpty();
    }

    public boolean has(String key) {
        return problems.stream().anyMatch(p -> p.key().equals(key));
    }

    /** Throws one exception that lists every error, so a user fixes them all in one go. */
    public void throwIfInvalid() {
        if (isValid()) return;
        StringBuilder b = new StringBuilder("the run config has ").append(errors().size()).append(" error(s):");
        for (ConfigProblem p : errors()) b.append("\n  ").append(p.key()).append(": ").append(p.message());
        throw new IllegalArgumentException(b.toString());
    }

    @Override
    public String toString() {
        if (problems.isEmpty()) return "run config OK";
        StringBuilder b = new StringBuilder();
        for (ConfigProblem p : problems) b.append(p).append('\n');
        return b.toString().stripTrailing();
    }
}
