package dev.cogforge.core.hub;

import java.util.regex.Pattern;

/** A model repository id "namespace/name", validated like the Hub does before any request is made. */
public record RepoId(String namespace, String name) {
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?");

    public RepoId {
        check(namespace, "namespace");
        check(name, "name");
        if (name.contains("--") || name.contains("..")) {
            throw new IllegalArgumentException("repo name '" + name + "' must not contain '--' or '..'");
        }
    }

    private static void check(String part, String what) {
        if (part == null || !PART.matcher(part).matches()) {
            throw new IllegalArgumentException("repo " + what + " '" + part + "' must be 1-96 of [A-Za-z0-9._-], "
                    + "starting and ending with a letter or digit");
        }
    }

    /** Parses "user/name"; a bare "name" takes {@code defaultNamespace} (the logged-in user). */
    public static RepoId parse(String text, String defaultNamespace) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("repo id is empty (expected user/name)");
        String[] parts = text.trim().split("/", -1);
        if (parts.length == 1) {
            if (defaultNamespace == null) throw new IllegalArgumentException("repo id '" + text + "' has no namespace (expected user/name)");
            return new RepoId(defaultNamespace, parts[0]);
        }
        if (parts.length != 2) throw new IllegalArgumentException("repo id '" + text + "' must be namespace/name");
        return new RepoId(parts[0], parts[1]);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
