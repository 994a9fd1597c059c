package io.rtsem.core;

/**
 * Spins briefly, then registers for a wake-up and parks until a release wakes it: the default for {@code NON_RT}.
 *
 * <p>The park itself belongs to the semaphore (it must register the waiter in the state word before parking, see
 * {@code docs/ARCHITECTURE.md} G4); this strategy only decides how long to spin first. A parked waiter is woken by
 * an unpark from a NON_RT or SOFT releaser, by a wake service acting on a HARD release's wake indication, or at
 * the latest after the semaphore's park fallback.
 *
 * <p>Immutable and thread-safe. Alias {@value #ALIAS}. Not allowed for {@code HARD} (it parks). Allowed for
 * {@code SOFT}, which then waits like NON_RT; the SOFT default is {@link BackoffWaitStrategy}.
 */
public final class ParkingWaitStrategy implements WaitStrategy {
    /** Configuration alias. */
    public static final String ALIAS = "park";

    /** 100 spins, then park. */
    public static final ParkingWaitStrategy DEFAULT = new ParkingWaitStrategy(100);

    private final int spins;

    /**
     * Creates a parking strategy. Set-up time, any context.
     *
     * @param spins attempts spent spinning before parking, {@code >= 0}.
     * @throws IllegalArgumentException naming the bad value.
     */
    public ParkingWaitStrategy(int spins) {
        if (spins < 0) {
            throw new IllegalArgumentException("spins must be >= 0, got " + spins);
        }
        this.spins = spins;
    }

    /** Spins once. No allocation, no system call. @return {@code true}. */
    @Override
    public boolean idle(int attempt, long maxIdleNanos) {
        Thread.onSpinWait();
        return true;
    }

    /** @return {@code true} once the spin budget is spent. */
    @Override
    public boolean blocksAfter(int attempt) {
        return attempt >= spins;
    }

    /** @return {@code false}: it parks. */
    @Override
    public boolean spinsOnly() {
        return false;
    }

    @Override
    public String alias() {
        return ALIAS;
    }

    /** @return the alias and parameters, for diagnostics (allocates). */
    @Override
    public String toString() {
        return ALIAS + "(spins=" + spins + ")";
    }
}
