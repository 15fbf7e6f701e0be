package dev.cogforge.core.dist;

/** Key names in the rendezvous store shared by workers and the launcher. */
final class StoreKeys {
    private StoreKeys() {}

    static final String PROCESS_GROUP_PREFIX = "cogforge/pg";

    static String heartbeat(int rank) {
        return "cogforge/heartbeat/" + rank;
    }

    static String progress(int rank) {
        return "cogforge/progress/" + rank;
    }
}
