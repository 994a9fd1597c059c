package io.rtsem.bridge;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * B2a: the idle wake service's boost-request polls last between half of {@link WakeService#BOOST_REQUEST_POLL_NANOS}
 * and all of it, spread over that range, so a HARD waiter's boost request still waits at most one full poll (P3) and
 * the polls do not keep one phase against the application's periodic traffic.
 */
class WakeServicePollTest {
    @Test
    void idlePollsLastHalfToAllOfTheBoostBoundSpreadEvenly() {
        final long bound = WakeService.BOOST_REQUEST_POLL_NANOS;
        final int[] quarters = new int[4]; // of the range [bound / 2, bound)
        long random = 0x9E3779B97F4A7C15L;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        final int n = 100_000;
        for (int i = 0; i < n; i++) {
            random = WakeService.nextRandom(random);
            assertNotEquals(0L, random, "xorshift64 never reaches 0 from a non-zero state");
            final long p = WakeService.idlePollNanos(random);
            assertTrue(p >= bound / 2 && p < bound, "poll " + p + " ns outside [" + bound / 2 + ", " + bound + ")");
            min = Math.min(min, p);
            max = Math.max(max, p);
            quarters[(int) ((p - bound / 2) * 4 / (bound / 2))]++;
        }
        for (final int q : quarters) {
            assertTrue(q > n / 5 && q < n * 3 / 10, "each quarter of the range holds about a quarter: " + q);
        }
        assertTrue(min < bound / 2 + bound / 100 && max > bound - bound / 100, "spans the range: " + min + ".." + max);
    }
}
