package dev.cogforge.core.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds and stores the Hugging Face token the same way huggingface_hub does, so that a login in the studio is seen by
 * the {@code hf} CLI and the other way round: explicit value, then {@code HF_TOKEN} (legacy
 * {@code HUGGING_FACE_HUB_TOKEN}), then the token file ({@code HF_TOKEN_PATH}, else {@code $HF_HOME/token}, else
 * {@code $XDG_CACHE_HOME/huggingface/token}, else {@code ~/.cache/huggingface/token}).
 */
public final class TokenStore {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    /** Where a token came from; named in 401 messages so the user knows which one to replace. */
    public enum Source {
        COMMAND_LINE("the --token option"),
        ENV_HF_TOKEN("the HF_TOKEN environment variable"),
        ENV_LEGACY("the HUGGING_FACE_HUB_TOKEN environment variable"),
        TOKEN_FILE("the token file");

        private final String description;

        Source(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    public record Resolved(HfToken token, Source source, String origin) {
        /** e.g. "the token file /home/me/.cache/huggingface/token" (never the token itself). */
        public String describeSource() {
            return origin == null ? source.description() : source.description() + " " + origin;
        }
    }

    private final Map<String, String> env;
    private final Path userHome;

    public TokenStore(Map<String, String> env, Path userHome) {
        this.env = Map.copyOf(env);
        this.userHome = userHome;
    }

    public static TokenStore system() {
        return new TokenStore(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /** HF_ENDPOINT without a trailing slash, or https://huggingface.co. */
    public String endpoint() {
        String e = nonBlank(env.get("HF_ENDPOINT"));
        if (e == null) return DEFAULT_ENDPOINT;
        while (e.endsWith("/")) e = e.substring(0, e.length() - 1);
        return e;
    }

    public Path tokenFile() {
        String explicit = nonBlank(env.get("HF_TOKEN_PATH"));
        if (explicit != null) return Path.of(expandHome(explicit));
        String hfHome = nonBlank(env.get("HF_HOME"));
        if (hfHome != null) return Path.of(expandHome(hfHome)).resolve("token");
        String xdg = nonBlank(env.get("XDG_CACHE_HOME"));
        if (xdg != null) return Path.of(expandHome(xdg)).resolve("huggingface").resolve("token");
        return userHome.resolve(".cache").resolve("huggingface").resolve("token");
    }

    /** The first token found, in huggingface_hub's order; empty when none is configured anywhere. */
    public Optional<Resolved> resolve(String explicitToken) throws IOException {
        if (nonBlank(explicitToken) != null) {
            return Optional.of(new Resolved(HfToken.of(explicitToken), Source.COMMAND_LINE, null));
        }
        String fromEnv = nonBlank(env.get("HF_TOKEN"));
        if (fromEnv != null) return Optional.of(new Resolved(HfToken.of(fromEnv), Source.ENV_HF_TOKEN, null));
        String legacy = nonBlank(env.get("HUGGING_FACE_HUB_TOKEN"));
        if (legacy != null) return Optional.of(new Resolved(HfToken.of(legacy), Source.ENV_LEGACY, null));
        Path file = tokenFile();
        if (!Files.isRegularFile(file)) return Optional.empty();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (nonBlank(text) == null) return Optional.empty();
        try {
            return Optional.of(new Resolved(HfToken.of(text), Source.TOKEN_FILE, file.toString()));
        } catch (IllegalArgumentException e) {
            throw new IOException("token file " + file + " is malformed: " + e.getMessage());
        }
    }

    /** Like {@link #resolve} but fails with a message that says how to provide a token. */
    public Resolved require(String explicitToken) throws IOException {
        return resolve(explicitToken).orElseThrow(() -> new IOException(
                "no Hugging Face token: pass --token, set HF_TOKEN, or log in (the token is read from " + tokenFile() + ")"));
    }

    /**
     * Writes the token file readable by its owner only. The temp file gets owner-only permissions before the secret
     * is written, so the token is never world-readable, not even for an instant.
     */
    public Path save(HfToken token) throws IOException {
        Path file = tokenFile().toAbsolutePath();
        Path dir = file.getParent();
        Files.createDirectories(dir);
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Path tmp = posix
                ? Files.createTempFile(dir, ".token.", ".part", PosixFilePermissions.asFileAttribute(ownerOnly()))
                : Files.createTempFile(dir, ".token.", ".part");
        boolean done = false;
        try {
            if (!posix) restrictToOwnerPortable(tmp);
            Files.writeString(tmp, token.secret(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            if (posix) Files.setPosixFilePermissions(file, ownerOnly());
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
        return file;
    }

    /** Removes the stored token (logout); true when a file was deleted. */
    public boolean delete() throws IOException {
        return Files.deleteIfExists(tokenFile());
    }

    private static Set<PosixFilePermission> ownerOnly() {
        return PosixFilePermissions.fromString("rw-------");
    }

    private static void restrictToOwnerPortable(Path p) {
        var f = p.toFile();
        // java.io.File's two-step dance is the only portable owner-only switch where POSIX views are missing
        f.setReadable(false, false);
        f.setReadable(true, true);
        f.setWritable(false, false);
        f.setWritable(true, true);
    }

    private String expandHome(String p) {
        return p.startsWith("~/") ? userHome.resolve(p.substring(2)).toString() : p;
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
