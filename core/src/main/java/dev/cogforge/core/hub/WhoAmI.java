package dev.cogforge.core.hub;

import java.util.List;

/** The account behind a token; {@code tokenRole} is "read", "write" or "fineGrained" (null when the Hub omits it). */
public record WhoAmI(String name, String fullName, List<String> organizations, String tokenRole, String tokenName) {
    public WhoAmI {
        organizations = List.copyOf(organizations);
    }

    /** A read token can never push; fine-grained tokens are checked by the Hub per repo. */
    public boolean canWrite() {
        return tokenRole == null || !tokenRole.equals("read");
    }
}
