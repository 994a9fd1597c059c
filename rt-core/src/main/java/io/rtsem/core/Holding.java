package io.rtsem.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What one thread holds of one semaphore, for priority inheritance (ARCHITECTURE P1-P6): the permits it took and has
 * not released itself, and the boost real-time waiters of that semaphore asked for it.
 *
 * <p>{@code held} is written by the holder thread only; {@code boost} only under the lock of the holder's
 * {@link HolderRecord}. Both are read by any thread.
 */
final class Holding {
    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(Holding.class, "held", int.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** The holder thread's record: its lock guards {@link #boost}. */
    final HolderRecord record;
    /** The semaphore's holder list this holding belongs to. */
    final Holders holders;

    /** Permits held; written by the holder thread only, with release stores (P6), read with volatile loads. */
    @SuppressWarnings("unused") // through HELD
    private volatile int held;

    /**
     * The FIFO priority waiters of this semaphore want the holder at, 0 for none. Written under {@code record}'s
     * lock; volatile so that the holder's release path reads it without the lock (P6).
     */
    volatile int boost;

    Holding(HolderRecord record, Holders holders) {
        this.record = record;
        this.holders = holders;
    }

    /** @return the permits held now (a volatile load). */
    int held() {
        return held;
    }

    /**
     * The holder took {@code permits}. Holder thread only. A release store: a waiter that reads the count after the
     * holder's take became visible sees it (P2 looks again at every check, so a late store is found late, not lost).
     */
    void add(int permits) {
        final int now = (int) HELD.getOpaque(this) + permits;
        HELD.setRelease(this, now < 0 ? Integer.MAX_VALUE : now);
    }

    /**
     * The holder released {@code permits}. Holder thread only.
     *
     * @return what it still holds (never below 0: a release of permits it did not take leaves 0).
     */
    int remove(int permits) {
        final int before = (int) HELD.getOpaque(this);
        final int now = before > permits ? before - permits : 0;
        if (now != before) {
            // Release store after the state word's CAS, then the caller reads `boost`: no StoreLoad fence here, on
            // purpose (P6); the race it allows is closed by the waiter's withdrawal (P5).
            HELD.setRelease(this, now);
        }
        return now;
    }
}
