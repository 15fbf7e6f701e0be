package dev.cogforge.core.hub;

import java.time.Duration;

/**
 * How often and how long to wait before retrying 408/429/5xx answers and dropped connections. Defaults follow
 * huggingface_hub's http_backoff (5 retries, 1 s doubling to 8 s). The {@link Sleeper} is injectable so tests run
 * without real waiting.
 */
public record RetryPolicy(int maxRetries, Duration baseDelay, Duration maxDelay, Sleeper sleeper) {
    @FunctionalInterface
    public interface Sleeper {
        /** Waits {@code delay} unless cancelled first; returns true when the wait ended because of cancellation. */
        boolean sleep(Duration delay, Cancellation cancellation) throws InterruptedException;
    }

    public static final Sleeper REAL_SLEEPER = (delay, c) -> c.awaitCancel(delay);

    public RetryPolicy {
        if (maxRetries < 0) throw new IllegalArgumentException("maxRetries < 0");
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofSeconds(8), REAL_SLEEPER);
    }

    public RetryPolicy withSleeper(Sleeper s) {
        return new RetryPolicy(maxRetries, baseDelay, maxDelay, s);
    }

    /** Delay before retry number {@code retry} (1-based), unless the server asked for a specific wait. */
    public Duration delay(int retry, Duration serverRequested) {
        if (serverRequested != null) return serverRequested;
        long ms = baseDelay.toMillis() << Math.min(retry - 1, 20);
        return Duration.ofMillis(Math.min(ms, maxDelay.toMillis()));
    }

    public static boolean isRetryableStatus(int code) {
        return code == 408 || code == 429 || code == 500 || code == 502 || code == 503 || code == 504;
    }
}
