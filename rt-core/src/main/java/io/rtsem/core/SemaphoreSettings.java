package io.rtsem.core;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The options an {@link RtSemaphore.Builder} collects, each validated when it is set (the public builder only
 * delegates here), and the argument checks of {@link RtSemaphore}'s acquire and release. The setters are not
 * thread-safe and are for set-up time only (they allocate); the static checks may run in any context.
 */
final class SemaphoreSettings {
    /** The largest park fallback and max bypass: one day (deadline sums then never overflow). */
    static final long MAX_BOUND_NANOS = TimeUnit.DAYS.toNanos(1);

    int permits;
    int maxPermits = Integer.MAX_VALUE;
    boolean binary;
    boolean priorityBoost = true;
    /** Set by an explicit {@code priorityBoost(true)}: holds are recorded from the first, armed or not (P1). */
    boolean priorityBoostAlways;

    long parkFallbackNanos = TimeUnit.MILLISECONDS.toNanos(1);
    long maxBypassNanos = TimeUnit.MILLISECONDS.toNanos(1);
    final WaitStrategy[] strategies = {
        BusySpinWaitStrategy.INSTANCE, BackoffWaitStrategy.DEFAULT, ParkingWaitStrategy.DEFAULT
    };

    void permits(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be >= 0, got " + permits);
        }
        this.permits = permits;
    }

    void maxPermits(int maxPermits) {
        if (maxPermits < 1) {
            throw new IllegalArgumentException("maxPermits must be >= 1, got " + maxPermits);
        }
        this.maxPermits = maxPermits;
    }

    void waitStrategy(RtContext context, WaitStrategy strategy) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(strategy, "strategy");
        if (context == RtContext.HARD && !strategy.spinsOnly()) {
            throw new IllegalArgumentException("wait strategy '" + strategy.alias()
                    + "' may park, yield or sleep; HARD waiters may only spin (use '" + BusySpinWaitStrategy.ALIAS
                    + "')");
        }
        strategies[context.ordinal()] = strategy;
    }

    void parkFallback(long time, TimeUnit unit) {
        parkFallbackNanos = bound("parkFallback", time, unit);
    }

    void maxBypass(long time, TimeUnit unit) {
        maxBypassNanos = bound("maxBypass", time, unit);
    }

    private static long bound(String name, long time, TimeUnit unit) {
        final long nanos = Objects.requireNonNull(unit, "unit").toNanos(time);
        if (nanos <= 0 || nanos > MAX_BOUND_NANOS) {
            throw new IllegalArgumentException(name + " must be > 0 and at most 1 day, got " + time + " " + unit);
        }
        return nanos;
    }

    /** @return the largest count: 1 in binary mode, else {@code maxPermits}. */
    int effectiveMaxPermits() {
        return binary ? 1 : maxPermits;
    }

    /**
     * Checks an acquire's argument against {@code maxPermits}; any context (it allocates only to throw).
     *
     * @throws IllegalArgumentException if {@code permits} is not in {@code 1..maxPermits}.
     */
    static void checkAcquire(int permits, int maxPermits) {
        if (permits <= 0) {
            throw new IllegalArgumentException("acquire of " + permits + " permits: permits must be >= 1");
        }
        if (permits > maxPermits) {
            throw new IllegalArgumentException(
                    "acquire of " + permits + " permits can never succeed: maxPermits is " + maxPermits);
        }
    }

    /** Built out of line: keeps {@link RtSemaphore#release(int)} small enough to inline on every hot path. */
    static IllegalArgumentException nonPositiveRelease(int permits) {
        return new IllegalArgumentException("release(" + permits + "): permits must be >= 1");
    }

    /** @throws IllegalArgumentException if the initial permits exceed the maximum (1 in binary mode). */
    void validate() {
        final int max = effectiveMaxPermits();
        if (permits > max) {
            throw new IllegalArgumentException(
                    "permits " + permits + " exceed maxPermits " + max + (binary ? " (binary semaphore)" : ""));
        }
    }
}
