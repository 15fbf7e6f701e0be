package dev.cogforge.core.dist;

/** Key names in the rendezvous store shared by workers and the launcher. */
final class StoreKeys {
    private StoreKeys() {}

    static final String PROCESS_GROUP_PREFIX = "cogforge/pg";

    static String heartbeat(int rank) {
        return "cogforge/heartbeat/" + rank;
    }

    /** Set by the first launcher (of a multi-node job) whose rank failed: "rank|message". */
    static final String JOB_FAILURE = "cogforge/job/failure";

    static String nodeDone(int node) {
        return "cogforge/job/node-done/" + node;
    }

    static String progress(int rank) {
        return "cogforge/progress/" + rank;
    }
}
