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
 */
public record SemaphoreSpec(int permits, int maxPermits, boolean binary, Map<RtContext, String> strategies) {
}
