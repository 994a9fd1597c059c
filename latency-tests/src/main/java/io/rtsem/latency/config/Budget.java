package io.rtsem.latency.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The latency budget of one context: the largest acceptable corrected wait at each percentile,
 * in nanoseconds, or {@link #UNSET} where the scenario sets no limit. Immutable.
 *
 * @param p50Nanos    median
 * @param p99Nanos    99th percentile
 * @param p999Nanos   99.9th percentile
 * @param p9999Nanos  99.99th percentile
 * @param maxNanos    the worst wait
 */
public record Budget(long p50Nanos, long p99Nanos, long p999Nanos, long p9999Nanos, long maxNanos) {

    /**
     * @throws IllegalArgumentException if a limit is neither positive nor {@link #UNSET}, or a higher percentile's
     *                                  limit is below a lower one's (the message names both)
     */
    public Budget {
        long[] v = {p50Nanos, p99Nanos, p999Nanos, p9999Nanos, maxNanos};
        int prev = -1;
        for (int i = 0; i < v.length; i++) {
            if (v[i] == UNSET) {
                continue;
            }
            if (v[i] <= 0) {
                throw new IllegalArgumentException("budget " + KEYS[i] + " must be a positive number of nanoseconds or "
                        + "Budget.UNSET (-1), got " + v[i]);
            }
            if (prev >= 0 && v[i] < v[prev]) {
                throw new IllegalArgumentException("budget " + KEYS[i] + " (" + v[i] + " ns) is below " + KEYS[prev]
                        + " (" + v[prev] + " ns); a higher percentile cannot have a smaller limit");
            }
            prev = i;
        }
    }

    /** Marks a percentile without a limit. */
    public static final long UNSET = -1;

    /** The percentile names as they appear in scenario files and reports, in order. */
    public static final String[] KEYS = {"p50", "p99", "p99.9", "p99.99", "max"};

    /** The percentiles of {@link #KEYS}, {@code 100.0} for max. */
    public static final double[] PERCENTILES = {50.0, 99.0, 99.9, 99.99, 100.0};

    /** @return the limits by key ({@link #KEYS}) in nanoseconds, only those that are set. Allocates. */
    public Map<String, Long> limits() {
        long[] v = asArray();
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < KEYS.length; i++) {
            if (v[i] != UNSET) {
                m.put(KEYS[i], v[i]);
            }
        }
        return m;
    }

    /** @return the limits in {@link #KEYS} order, {@link #UNSET} where not set. Allocates. */
    public long[] asArray() {
        return new long[] {p50Nanos, p99Nanos, p999Nanos, p9999Nanos, maxNanos};
    }

    /**
     * The threshold above which a single wait is reported as a JFR {@code WaitOverBudget} event:
     * the max budget if set, else the tightest set percentile from the top (p99.99, p99.9, ...).
     *
     * @return nanoseconds, or {@link Long#MAX_VALUE} when no limit is set
     */
    public long singleWaitThresholdNanos() {
        long[] v = asArray();
        for (int i = v.length - 1; i >= 0; i--) {
            if (v[i] != UNSET) {
                return v[i];
            }
        }
        return Long.MAX_VALUE;
    }
}
