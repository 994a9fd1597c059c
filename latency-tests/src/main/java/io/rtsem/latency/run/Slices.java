package io.rtsem.latency.run;

/**
 * When each subject runs in an interleaved phase, the way {@code HandoffInterleavedBenchmark} alternates its arms: the
 * phase's time line is cut into pairs of slices, each pair a slice of subject 0 (rtsem) followed by a slice of
 * subject 1 (the peer) of the same length, shared by every scenario thread. An iteration belongs to the subject of
 * the slice its <em>intended</em> start falls in, and runs wholly on it (a thread that holds a permit of one subject
 * when the slice changes finishes that iteration there), so both subjects run on the same threads and CPUs, in the
 * same minutes, and a change in the VM's placement of the vCPUs or a hiccup of the host lands on both alike instead
 * of on whichever subject was measured at the time.
 *
 * <p>Pair {@code j} covers {@code [b(j), b(j+1))} with {@code b(j) = origin + j * pairNanos + jitter(j)}: a pair is
 * twice the nominal slice long, give or take up to half a slice at each end, so that a thread whose period is a
 * multiple of two slices does not land in the same subject every time; {@code jitter} is a fixed hash of {@code j},
 * zero at the first and last pair boundary of the measured window, so each subject gets exactly half of it. The
 * measured window holds {@link #pairs()} pairs; the warm-up before it is cut the same way.
 *
 * <p>Immutable. {@link #subjectAt} and {@link #sliceEnd} are called on scenario threads (any context): a few
 * arithmetic operations, allocation-free, no system call. The rest is for the harness (NON_RT).
 */
public final class Slices {
    /** Single subject: every instant is subject 0's. */
    private static final long SINGLE_PAIR_NANOS = 1L << 50;

    private final long origin;
    private final long pairNanos;
    private final long pairs;
    /** End of the measured window. */
    private final long end;
    /** 1 when interleaved, 0 for a single subject ({@link #subjectAt} is 0 then). */
    private final int mask;

    private Slices(long origin, long pairNanos, long pairs, long end, int mask) {
        this.origin = origin;
        this.pairNanos = pairNanos;
        this.pairs = pairs;
        this.end = end;
        this.mask = mask;
    }

    /**
     * One subject only (the JIT warm-up pass): every instant belongs to subject 0.
     *
     * @param measureStart start of the measured window ({@code nanoTime})
     * @param stop         its end
     * @return the slices
     */
    public static Slices single(long measureStart, long stop) {
        return new Slices(measureStart, Math.max(SINGLE_PAIR_NANOS, stop - measureStart), 1, stop, 0);
    }

    /**
     * Two subjects alternating in a measured window of {@code 2 * durationNanos} from {@code measureStart}: as many
     * pairs as make slices closest to {@code sliceNanos} (at least one pair), so that each subject gets
     * {@code durationNanos} of it (less a few nanoseconds of rounding).
     *
     * @param measureStart  start of the measured window ({@code nanoTime})
     * @param durationNanos each subject's measured time, positive
     * @param sliceNanos    nominal slice length, positive
     * @return the slices
     * @throws IllegalArgumentException if a duration is not positive
     */
    public static Slices interleaved(long measureStart, long durationNanos, long sliceNanos) {
        if (durationNanos <= 0 || sliceNanos <= 0) {
            throw new IllegalArgumentException(
                    "durationNanos and sliceNanos must be positive, got " + durationNanos + " and " + sliceNanos);
        }
        long pairs = Math.max(1, Math.round((double) durationNanos / sliceNanos));
        long pairNanos = 2 * durationNanos / pairs;
        return new Slices(measureStart, pairNanos, pairs, measureStart + pairs * pairNanos, 1);
    }

    /** @return true if two subjects alternate. */
    public boolean interleaved() {
        return mask == 1;
    }

    /**
     * @param nanoTime an instant ({@code System.nanoTime()})
     * @return 0 (rtsem) or 1 (the peer): whose slice holds it; always 0 for a single subject. Any context;
     *         allocation-free.
     */
    public int subjectAt(long nanoTime) {
        long j = pairOf(nanoTime);
        long a = boundary(j);
        long b = boundary(j + 1);
        long mid = a + (b - a) / 2;
        return (int) (((nanoTime - mid) >>> 63) ^ 1) & mask;
    }

    /** The pair of slices (rtsem's, then the peer's) that holds {@code t}: boundary(j) <= t < boundary(j + 1). */
    private long pairOf(long t) {
        long j = Math.floorDiv(t - origin, pairNanos);
        if (t < boundary(j)) {
            return j - 1; // the jitter moved this pair's start after t
        }
        return t >= boundary(j + 1) ? j + 1 : j;
    }

    /**
     * @param nanoTime an instant
     * @return the end of the slice that holds it; {@link Long#MAX_VALUE} for a single subject. Any context;
     *         allocation-free.
     */
    public long sliceEnd(long nanoTime) {
        if (mask == 0) {
            return Long.MAX_VALUE;
        }
        long j = pairOf(nanoTime);
        long a = boundary(j);
        long b = boundary(j + 1);
        long mid = a + (b - a) / 2;
        return nanoTime < mid ? mid : b;
    }

    /**
     * @return the start of pair {@code j}: its nominal start moved by up to a quarter of a pair, not at 0 and pairs.
     */
    private long boundary(long j) {
        long z = j * 0x9E3779B97F4A7C15L; // splitmix64
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        long jitter = (long) ((z >>> 11) * 0x1.0p-53 * (pairNanos / 2)) - pairNanos / 4;
        long pinned = ((j | -j) >>> 63) & (((j - pairs) | (pairs - j)) >>> 63) & mask; // 0 at j == 0, j == pairs
        return origin + j * pairNanos + jitter * pinned;
    }

    /** @return the pairs of slices in the measured window (1 for a single subject). */
    public long pairs() {
        return pairs;
    }

    /** @return the number of slices in the measured window, both subjects (1 for a single subject). */
    public long count() {
        return pairs * (1 + mask);
    }

    /** @return the nominal slice length: half a pair, nanoseconds. */
    public long nominalSliceNanos() {
        return pairNanos / 2;
    }

    /** @return the end of the measured window ({@code nanoTime}). */
    public long stop() {
        return end;
    }

    /** @return each subject's share of the measured window, nanoseconds (all of it for a single subject). */
    public long perSubjectNanos() {
        return (end - origin) / (1 + mask);
    }

    /** @return the shortest and the longest slice of the measured window, nanoseconds. NON_RT. */
    public long[] sliceLengthRange() {
        if (mask == 0) {
            return new long[] {end - origin, end - origin};
        }
        long min = Long.MAX_VALUE;
        long max = 0;
        for (long j = 0; j < pairs; j++) {
            long a = boundary(j);
            long b = boundary(j + 1);
            long half = (b - a) / 2;
            min = Math.min(min, half);
            max = Math.max(max, b - a - half);
        }
        return new long[] {min, max};
    }

    /**
     * How many starts of a fixed schedule fall in the subject's slices of the measured window. NON_RT; loops over
     * the pairs.
     *
     * @param subject     0 or 1
     * @param first       the schedule's first intended start ({@code nanoTime})
     * @param periodNanos its period, positive
     * @return the number of intended starts {@code first + k * periodNanos} ({@code k >= 0}) in the subject's
     *         measured slices
     */
    public long scheduled(int subject, long first, long periodNanos) {
        if (mask == 0) {
            return subject == 0 ? startsBefore(end, first, periodNanos) - startsBefore(origin, first, periodNanos) : 0;
        }
        long n = 0;
        for (long j = 0; j < pairs; j++) {
            long a = boundary(j);
            long b = boundary(j + 1);
            long mid = a + (b - a) / 2;
            n += subject == 0
                    ? startsBefore(mid, first, periodNanos) - startsBefore(a, first, periodNanos)
                    : startsBefore(b, first, periodNanos) - startsBefore(mid, first, periodNanos);
        }
        return n;
    }

    private static long startsBefore(long t, long first, long period) {
        return t <= first ? 0 : Math.floorDiv(t - first - 1, period) + 1;
    }

    /**
     * The instant at which {@code subject} has had {@code offsetNanos} of the measured window, counting only its own
     * slices (where a fault injected "at 700 ms of measurement" lands for each subject). NON_RT.
     *
     * @param subject     0 or 1
     * @param offsetNanos its measured time so far, 0 or more
     * @return a {@code nanoTime}, or {@link Long#MAX_VALUE} if the subject's measured time is shorter
     */
    public long instantOf(int subject, long offsetNanos) {
        if (mask == 0) {
            return offsetNanos < end - origin ? origin + offsetNanos : Long.MAX_VALUE;
        }
        long left = offsetNanos;
        for (long j = 0; j < pairs; j++) {
            long a = boundary(j);
            long b = boundary(j + 1);
            long mid = a + (b - a) / 2;
            long from = subject == 0 ? a : mid;
            long to = subject == 0 ? mid : b;
            if (left < to - from) {
                return from + left;
            }
            left -= to - from;
        }
        return Long.MAX_VALUE;
    }
}
