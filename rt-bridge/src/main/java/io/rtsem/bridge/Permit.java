package io.rtsem.bridge;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Permits granted by {@link SemaphoreBridge#acquireAsync(int)}, held until {@link #close()}.
 *
 * <p>Threading: may be passed between threads and closed from any thread; {@link #close()} releases the permits
 * exactly once however many threads call it, however often.
 */
public final class Permit implements AutoCloseable {
    private static final VarHandle CLOSED = VarHandles.field(MethodHandles.lookup(), "closed", int.class);

    private final SemaphoreBridge bridge;
    private final int permits;
    private final long grantedNanos;
    private volatile int closed;

    Permit(SemaphoreBridge bridge, int permits, long grantedNanos) {
        this.bridge = bridge;
        this.permits = permits;
        this.grantedNanos = grantedNanos;
    }

    /**
     * The number of permits this object holds (until closed).
     *
     * <p>Any context; no allocation.
     *
     * @return permits, {@code >= 1}.
     */
    public int permits() {
        return permits;
    }

    /**
     * When the permits were granted, as a {@link System#nanoTime()} value.
     *
     * <p>Any context; no allocation.
     *
     * @return the grant instant.
     */
    public long grantedNanos() {
        return grantedNanos;
    }

    /**
     * Whether {@link #close()} has run.
     *
     * <p>Any context; one volatile read.
     *
     * @return {@code true} once closed.
     */
    public boolean isClosed() {
        return closed != 0;
    }

    /**
     * Returns the permits to the semaphore and records the hold time under the closing thread's context. Only the
     * first call releases; later calls do nothing (so try-with-resources plus an explicit close is safe).
     *
     * <p>Any context, including HARD: one CAS here, one CAS on the semaphore, one {@code nanoTime} and one histogram
     * record. From HARD: no system call and no allocation (B1). From NON_RT or SOFT with no parked waiter: none
     * either. From NON_RT or SOFT while waiters are parked, the release unparks those the permits can serve (a
     * system call) and may allocate rt-core's queue iterator
     * ({@link io.rtsem.core.RtSemaphore#wakeParkedWaiters()} walks a {@code ConcurrentLinkedQueue}). Works after the
     * bridge is closed (outstanding permits must always be returnable).
     */
    @Override
    public void close() {
        // The CAS makes exactly one caller the releaser, whatever the race.
        if (CLOSED.compareAndSet(this, 0, 1)) {
            bridge.releasePermit(this);
        }
    }

    /**
     * Returns permits that never reached a holder (the grant thread could not deliver them): released exactly once,
     * like {@link #close()}, but not recorded as a hold. Grant thread only; NON_RT.
     */
    void discard() {
        if (CLOSED.compareAndSet(this, 0, 1)) {
            bridge.semaphore().release(permits);
        }
    }

    /**
     * Diagnostics: the number of permits and whether closed.
     *
     * <p>NON_RT; allocates the string.
     *
     * @return the description.
     */
    @Override
    public String toString() {
        return "Permit[" + permits + (closed != 0 ? ", closed]" : "]");
    }
}
