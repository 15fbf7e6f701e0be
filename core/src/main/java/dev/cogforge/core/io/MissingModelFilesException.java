package dev.cogforge.core.io;

import java.io.IOException;
import java.util.List;

/** A model folder lacks folders or files that a job needs; {@link #missing()} lists every one of them. */
public final class MissingModelFilesException extends IOException {
    private final List<String> missing;

    public MissingModelFilesException(String where, List<String> missing) {
        super(where + " is missing " + missing.size() + " item(s):\n  - " + String.join("\n  - ", missing));
        this.missing = List.copyOf(missing);
    }

    public List<String> missing() {
        return missing;
    }
}
