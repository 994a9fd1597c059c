package io.rtsem.latency.run;

import java.time.Clock;
import java.time.Instant;

/**
 * Maps {@code System.nanoTime()} values to nanoseconds since the epoch, so that waits measured
 * with {@code nanoTime} can be lined up with JFR and GC events (which carry wall-clock times).
 * The offset is taken once per run as the tightest of a few bracketed samples (error about a
 * microsecond); a wall-clock step during the run would shift the mapping, nothing else.
 */
public final class EpochClock {
    private EpochClock() {}

    /** @return add this to a {@code nanoTime} to get epoch nanoseconds. NON_RT; allocates. */
    public static long offsetNanos() {
        Clock clock = Clock.systemUTC();
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            Instant now = clock.instant();
            long t1 = System.nanoTime();
            if (t1 - t0 < best) {
                best = t1 - t0;
                offset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - (t0 + (t1 - t0) / 2);
            }
        }
        return offset;
    }
}
