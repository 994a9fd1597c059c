package io.rtsem.core;

/**
 * Spins with {@link Thread#onSpinWait()} and nothing else: the only wait a {@code HARD} thread may use, and its
 * default.
 *
 * <p>Use it only on a thread that owns its CPU: with more busy-spinning threads than CPUs, spinners steal time from
 * the very thread that would release the permit. A spinning thread still stops at safepoints: keep time-to-safepoint
 * short by keeping the code around the wait loop simple (the semaphore's loop is a counted loop with a safepoint
 * poll).
 *
 * <p>Stateless; {@link #INSTANCE} serves everyone. Alias {@value #ALIAS}.
 */
public final class BusySpinWaitStrategy implements WaitStrategy {
    /** Configuration alias. */
    public static final String ALIAS = "busy-spin";

    /** The shared instance. */
    public static final BusySpinWaitStrategy INSTANCE = new BusySpinWaitStrategy();

    private BusySpinWaitStrategy() {}

    /**
     * Spins once. Any context; no allocation, no system call.
     *
     * @return always {@code true} (a cheap spin).
     */
    @Override
    public boolean idle(int attempt, long maxIdleNanos) {
        Thread.onSpinWait();
        return true;
    }

    /** @return always {@code false}: a spinner never parks. */
    @Override
    public boolean blocksAfter(int attempt) {
        return false;
    }

    /** @return {@code true}. */
    @Override
    public boolean spinsOnly() {
        return true;
    }

    @Override
    public String alias() {
        return ALIAS;
    }

    /** @return the alias and parameters, for diagnostics (allocates). */
    @Override
    public String toString() {
        return ALIAS;
    }
}
