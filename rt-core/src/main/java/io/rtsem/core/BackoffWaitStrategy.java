package io.rtsem.core;

import java.util.concurrent.locks.LockSupport;

/**
 * Spins for a budget, then yields a few times, then naps with {@code parkNanos}, doubling from {@code minNapNanos}
 * to {@code maxNapNanos} (Agrona's {@code BackoffIdleStrategy} shape). The default for {@code SOFT}.
 *
 * <p>A napping waiter is never registered for a wake-up: it notices released permits at its next attempt, so its
 * extra latency is bounded by its current nap. Linux rounds a nap up by the thread's timer slack (50 µs by
 * default), so {@code parkNanos(1_000)} really sleeps ~50-60 µs; a nap shorter than the slack buys nothing but
 * system calls.
 *
 * <p>Under a real-time policy ({@code SCHED_FIFO}/{@code SCHED_RR}, as an {@link RtThread} recorded it at start) the
 * yield phase is skipped: {@code sched_yield} there gives way only to runnable threads of the same priority, so it
 * would keep a lower-priority holder of the permits, or the wake service, off the waiter's CPU. Such a waiter goes
 * from its spins straight to its naps, which do let them run (docs/ARCHITECTURE.md S4). Knowing the policy costs a
 * type check and a field read of the calling thread, no system call; a thread that is not an {@code RtThread}
 * counts as not real-time (give it a strategy with no yields if you set it to FIFO yourself). A real-time thread is
 * not subject to timer slack, so its naps are as short as asked.
 *
 * <p>Immutable and thread-safe. Alias {@value #ALIAS}. Not allowed for {@code HARD} (it yields and sleeps).
 */
public final class BackoffWaitStrategy implements WaitStrategy {
    /** Configuration alias. */
    public static final String ALIAS = "backoff";

    /** 10,000 spins, 10 yields, naps from 1 µs to 100 µs. */
    public static final BackoffWaitStrategy DEFAULT = new BackoffWaitStrategy(10_000, 10, 1_000, 100_000);

    private final int spins;
    private final int yields;
    private final long minNapNanos;
    private final long maxNapNanos;
    private final int maxShift;

    /**
     * Creates a back-off strategy. Set-up time, any context.
     *
     * @param spins       attempts spent spinning first, {@code >= 0}.
     * @param yields      attempts then spent in {@link Thread#yield()}, {@code >= 0}; skipped by a waiter under a
     *                    real-time policy.
     * @param minNapNanos first nap, {@code > 0}.
     * @param maxNapNanos longest nap, {@code >= minNapNanos}.
     * @throws IllegalArgumentException naming the bad value.
     */
    public BackoffWaitStrategy(int spins, int yields, long minNapNanos, long maxNapNanos) {
        if (spins < 0 || yields < 0) {
            throw new IllegalArgumentException(
                    "spins and yields must be >= 0, got spins=" + spins + ", yields=" + yields);
        }
        if (minNapNanos <= 0 || maxNapNanos < minNapNanos) {
            throw new IllegalArgumentException("naps must satisfy 0 < minNapNanos <= maxNapNanos, got minNapNanos="
                    + minNapNanos + ", maxNapNanos=" + maxNapNanos);
        }
        this.spins = spins;
        this.yields = yields;
        this.minNapNanos = minNapNanos;
        this.maxNapNanos = maxNapNanos;
        this.maxShift = 63 - Long.numberOfLeadingZeros(Math.max(1, maxNapNanos / minNapNanos)) + 1;
    }

    /**
     * Spins, yields or naps depending on {@code attempt}; a waiter under a real-time policy naps where others yield
     * (S4). Called by a SOFT (or NON_RT) waiter; no allocation; the yield and nap phases make system calls.
     */
    @Override
    public boolean idle(int attempt, long maxIdleNanos) {
        if (attempt < spins) {
            Thread.onSpinWait();
            return true;
        }
        final boolean realTime = RtThread.currentThreadRealTime();
        if (!realTime && attempt < spins + yields) {
            Thread.yield();
            return false;
        }
        // Real-time: no yield phase, the naps start right after the spins.
        final int shift = Math.min(attempt - spins - (realTime ? 0 : yields), maxShift);
        final long nap = Math.min(Math.min(minNapNanos << shift, maxNapNanos), maxIdleNanos);
        if (nap > 0) {
            LockSupport.parkNanos(nap);
        }
        return false;
    }

    /** @return always {@code false}: a backing-off waiter naps, it never registers to be woken. */
    @Override
    public boolean blocksAfter(int attempt) {
        return false;
    }

    /** @return {@code false}: it yields and sleeps. */
    @Override
    public boolean spinsOnly() {
        return false;
    }

    @Override
    public String alias() {
        return ALIAS;
    }

    /** @return the longest single nap in nanoseconds: the worst extra latency it adds to a wait. Any context. */
    public long maxNapNanos() {
        return maxNapNanos;
    }

    /** @return the alias and parameters, for diagnostics (allocates). */
    @Override
    public String toString() {
        return ALIAS + "(spins=" + spins + ", yields=" + yields + ", minNapNanos=" + minNapNanos + ", maxNapNanos="
                + maxNapNanos + ")";
    }
}
