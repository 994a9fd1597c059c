package io.rtsem.core;

import java.util.Locale;

/**
 * How a waiter idles between attempts to take permits from an {@link RtSemaphore}. Chosen per semaphore and per
 * {@link RtContext} with {@link RtSemaphore.Builder#waitStrategy(RtContext, WaitStrategy)}.
 *
 * <p>The semaphore's wait loop ({@code Waiters.await}), for a waiter that could not take its permits at once:
 * <pre>{@code
 * for (int attempt = 0; ; attempt++) {   // saturating: never wraps negative
 *     if (takePermits()) return true;
 *     if (strategy.blocksAfter(attempt)) { registerAndPark(); continue; } // NON_RT strategies only
 *     boolean cheap = strategy.idle(attempt, remainingNanos);
 *     if (!cheap || (attempt & 63) == 63) checkDeadlineAndInterrupt(); // G9: the clock is read every 64 spins
 * }
 * }</pre>
 *
 * <p>Implementations are small, immutable and thread-safe: one instance may serve every waiter of every semaphore.
 * Each has an {@link #alias()} by which configuration files name it ({@link #forAlias(String)}).
 *
 * <p>Only strategies that {@link #spinsOnly() spin only} may serve {@code HARD}; the builder refuses any other,
 * rather than silently downgrading a HARD waiter.
 */
public interface WaitStrategy {
    /**
     * Idles once, after {@code attempt} failed attempts (0 for the first).
     *
     * <p>Called by the waiting thread, in the context this strategy serves. Must not allocate.
     *
     * @param attempt        failed attempts so far in this wait, from 0.
     * @param maxIdleNanos   the wait's remaining time; a strategy that sleeps never sleeps longer than this.
     * @return {@code true} if the idle was a cheap spin (the caller then checks the clock only every 64 attempts),
     *         {@code false} if it yielded or slept (the caller checks the clock and interruption now).
     */
    boolean idle(int attempt, long maxIdleNanos);

    /**
     * Whether, after {@code attempt} failed attempts, the waiter should stop polling, register for a wake-up and
     * park until woken (bounded by the semaphore's park fallback). Only {@code NON_RT} strategies return
     * {@code true}.
     *
     * <p>Called by the waiter in its own context; must not allocate or block.
     *
     * @param attempt failed attempts so far in this wait.
     * @return {@code true} to register and park.
     */
    boolean blocksAfter(int attempt);

    /**
     * Whether this strategy only spins: never yields, parks, sleeps or allocates. Required for {@code HARD}.
     * Any context; no allocation.
     *
     * @return {@code true} if it only spins.
     */
    boolean spinsOnly();

    /**
     * The name by which configuration files select this strategy. Any context; no allocation (a constant).
     *
     * @return the alias, e.g. {@code "busy-spin"}.
     */
    String alias();

    /**
     * The strategy a configuration alias names, with its default parameters: {@code busy-spin}
     * ({@link BusySpinWaitStrategy}), {@code backoff} ({@link BackoffWaitStrategy}), {@code park}
     * ({@link ParkingWaitStrategy}).
     *
     * <p>Set-up time, any context (may allocate).
     *
     * @param alias the alias, case-insensitive.
     * @return the strategy.
     * @throws IllegalArgumentException naming the alias and the known ones, if it is unknown.
     */
    static WaitStrategy forAlias(String alias) {
        if (alias == null) {
            throw new IllegalArgumentException("wait strategy alias is null; expected one of busy-spin, backoff, park");
        }
        switch (alias.trim().toLowerCase(Locale.ROOT)) {
            case BusySpinWaitStrategy.ALIAS:
                return BusySpinWaitStrategy.INSTANCE;
            case BackoffWaitStrategy.ALIAS:
                return BackoffWaitStrategy.DEFAULT;
            case ParkingWaitStrategy.ALIAS:
                return ParkingWaitStrategy.DEFAULT;
            default:
                throw new IllegalArgumentException(
                        "unknown wait strategy '" + alias + "'; expected one of busy-spin, backoff, park");
        }
    }
}
