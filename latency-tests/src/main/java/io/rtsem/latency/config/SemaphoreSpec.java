package io.rtsem.latency.config;

import io.rtsem.core.RtContext;
import java.util.Map;

/**
 * The semaphore options of a scenario. Immutable.
 *
 * @param permits    permits available at the start
 * @param maxPermits the most permits the semaphore may hold (rtsem only; the j.u.c. peer has no cap)
 * @param binary     a binary semaphore (0 or 1 permit)
 * @param strategies wait strategy alias per context ({@code busy-spin}, {@code backoff}, {@code park} ...);
 *                   contexts not named use rtsem's default for the context
 * @param maxBypassNanos    rtsem's starvation bound, {@code RtSemaphore.Builder.maxBypass} (G8), in nanoseconds
 * @param parkFallbackNanos rtsem's longest single park, {@code RtSemaphore.Builder.parkFallback} (G5), in nanoseconds
 */
public record SemaphoreSpec(int permits, int maxPermits, boolean binary, Map<RtContext, String> strategies,
                            long maxBypassNanos, long parkFallbackNanos) {

    /** rtsem's default starvation bound (1 ms), used when a scenario does not set {@code max-bypass}. */
    public static final long DEFAULT_MAX_BYPASS_NANOS = 1_000_000L;
    /** rtsem's default park fallback (1 ms), used when a scenario does not set {@code park-fallback}. */
    public static final long DEFAULT_PARK_FALLBACK_NANOS = 1_000_000L;
}
