package io.rtsem.latency.config;

import io.rtsem.core.RtContext;
import io.rtsem.core.RtScheduling;
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
 * @param wakeScheduling    the scheduling of rtsem's bridge's wake service ({@code SemaphoreBridge.Options
 *                          .wakeScheduling}; key {@code wake-scheduling}), which also serves HARD waiters' priority
 *                          boosts (ARCHITECTURE P3); {@code null}: the bridge's default. The peer has no such thread.
 */
public record SemaphoreSpec(
        int permits,
        int maxPermits,
        boolean binary,
        Map<RtContext, String> strategies,
        long maxBypassNanos,
        long parkFallbackNanos,
        RtScheduling wakeScheduling) {

    /**
     * Options with the bridge's default wake scheduling. Set-up time; allocates.
     *
     * @throws IllegalArgumentException as the canonical constructor
     * @throws NullPointerException     if {@code strategies} is null
     */
    public SemaphoreSpec(
            int permits,
            int maxPermits,
            boolean binary,
            Map<RtContext, String> strategies,
            long maxBypassNanos,
            long parkFallbackNanos) {
        this(permits, maxPermits, binary, strategies, maxBypassNanos, parkFallbackNanos, null);
    }

    /**
     * @throws IllegalArgumentException if {@code permits} is negative or above {@code maxPermits}, {@code maxPermits}
     *                                  is below 1, a binary semaphore has more than one permit, or a duration is not
     *                                  positive (the message names the value)
     * @throws NullPointerException     if {@code strategies} is null
     */
    public SemaphoreSpec {
        java.util.Objects.requireNonNull(strategies, "strategies");
        if (maxPermits < 1) {
            throw new IllegalArgumentException("maxPermits must be at least 1, got " + maxPermits);
        }
        if (permits < 0 || permits > maxPermits) {
            throw new IllegalArgumentException(
                    "permits must be from 0 to maxPermits (" + maxPermits + "), got " + permits);
        }
        if (binary && maxPermits != 1) {
            throw new IllegalArgumentException("a binary semaphore has maxPermits 1, got " + maxPermits);
        }
        if (maxBypassNanos <= 0) {
            throw new IllegalArgumentException("maxBypassNanos must be positive, got " + maxBypassNanos);
        }
        if (parkFallbackNanos <= 0) {
            throw new IllegalArgumentException("parkFallbackNanos must be positive, got " + parkFallbackNanos);
        }
    }

    /** rtsem's default starvation bound (1 ms), used when a scenario does not set {@code max-bypass}. */
    public static final long DEFAULT_MAX_BYPASS_NANOS = 1_000_000L;
    /** rtsem's default park fallback (1 ms), used when a scenario does not set {@code park-fallback}. */
    public static final long DEFAULT_PARK_FALLBACK_NANOS = 1_000_000L;
}
