package dev.cogforge.core.hub;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A Hugging Face access token. The secret never leaves this class except as an HTTP header or into the token file:
 * {@link #toString()} is redacted so that a token dropped into a log line, an exception or a config dump stays secret.
 */
public final class HfToken {
    private final String secret;

    private HfToken(String secret) {
        this.secret = secret;
    }

    /**
     * Normalises like huggingface_hub does (trim, drop CR/LF); rejects an empty token or one with inner whitespace,
     * which would otherwise break the Authorization header.
     */
    public static HfToken of(String raw) {
        if (raw == null) throw new IllegalArgumentException("Hugging Face token is missing");
        String cleaned = raw.replace("\r", "").replace("\n", "").trim();
        if (cleaned.isEmpty()) throw new IllegalArgumentException("Hugging Face token is empty");
        for (int i = 0; i < cleaned.length(); i++) {
            char c = cleaned.charAt(i);
            if (Character.isWhitespace(c) || c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("Hugging Face token contains a space or a non-ASCII character at position " + i);
            }
        }
        return new HfToken(cleaned);
    }

    String authorizationHeader() {
        return "Bearer " + secret;
    }

    String secret() {
        return secret;
    }

    /** Removes every occurrence of the secret from a text that is about to be shown (server messages echo headers). */
    String scrub(String text) {
        return text == null ? null : text.replace(secret, "[token]");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HfToken t && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                t.secret.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return secret.length();
    }

    @Override
    public String toString() {
        return "HfToken[redacted]";
    }
}
