package dev.cogforge.core.dist;

import java.time.Duration;
import java.util.Map;

/**
 * Every bound on how long a rank waits for the others.
 *
 * @param rendezvous        connecting to the store and forming the process group (ranks start minutes apart on a
 *                          busy cluster)
 * @param collective        one all-reduce / broadcast / barrier; must cover rank 0's longest solo phase (validation
 *                          videos, checkpoint writes) because the other ranks wait in a collective meanwhile
 * @param heartbeatInterval how often each rank bumps its heartbeat counter in the store
 * @param heartbeatTimeout  a rank whose counter has not moved for this long is declared dead (frozen JVM, lost node)
 */
public record DistributedTimeouts(Duration rendezvous, Duration collective, Duration heartbeatInterval,
                                  Duration heartbeatTimeout) {

    public static final String RENDEZVOUS_VAR = "COGFORGE_DIST_RENDEZVOUS_TIMEOUT_S";
    public static final String COLLECTIVE_VAR = "COGFORGE_DIST_COLLECTIVE_TIMEOUT_S";
    public static final String HEARTBEAT_INTERVAL_VAR = "COGFORGE_DIST_HEARTBEAT_INTERVAL_MS";
    public static final String HEARTBEAT_TIMEOUT_VAR = "COGFORGE_DIST_HEARTBEAT_TIMEOUT_S";

    public DistributedTimeouts {
        positive("rendezvous", rendezvous);
        positive("collective", collective);
        positive("heartbeatInterval", heartbeatInterval);
        positive("heartbeatTimeout", heartbeatTimeout);
        if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("heartbeat timeout " + heartbeatTimeout + " must be at least twice the interval "
                    + heartbeatInterval + ", or one late beat kills the job");
        }
    }

    public static DistributedTimeouts defaults() {
        return new DistributedTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofSeconds(2), Duration.ofSeconds(60));
    }

    /** Defaults overridden by the {@code COGFORGE_DIST_*} variables (so the launcher can hand them to workers). */
    public static DistributedTimeouts from(Map<String, String> env) {
        DistributedTimeouts d = defaults();
        return new DistributedTimeouts(
                read(env, RENDEZVOUS_VAR, d.rendezvous, 1000),
                read(env, COLLECTIVE_VAR, d.collective, 1000),
                read(env, HEARTBEAT_INTERVAL_VAR, d.heartbeatInterval, 1),
                read(env, HEARTBEAT_TIMEOUT_VAR, d.heartbeatTimeout, 1000));
    }

    /** The variables that reproduce these timeouts in a child process. */
    public Map<String, String> asEnv() {
        return Map.of(RENDEZVOUS_VAR, Long.toString(Math.max(1, rendezvous.toSeconds())),
                COLLECTIVE_VAR, Long.toString(Math.max(1, collective.toSeconds())),
                HEARTBEAT_INTERVAL_VAR, Long.toString(heartbeatInterval.toMillis()),
                HEARTBEAT_TIMEOUT_VAR, Long.toString(Math.max(1, heartbeatTimeout.toSeconds())));
    }

    private static Duration read(Map<String, String> env, String key, Duration fallback, long millisPerUnit) {
        String v = env.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            long n = Long.parseLong(v.trim());
            if (n <= 0) throw new NumberFormatException();
            return Duration.ofMillis(n * millisPerUnit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a positive whole number, got '" + v + "'");
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " timeout must be positive, got " + d);
    }
}
