package io.rtsem.core;

/**
 * A registered (parked) waiter: what the wake walk ({@link WakeQueue}) sees, and, once its waiter is starving, what
 * the starving line's granters decide by CAS on {@link #state} (ARCHITECTURE G8a). Allocated once per blocking
 * NON_RT acquire (or SOFT with a parking strategy), by the waiter; never by HARD. It also carries its waiter's
 * park-phase state ({@link #starvingNap}).
 */
final class WaitNode {
    static final int WAITING = 0;
    static final int GRANTING = 1;
    static final int GRANTED = 2;
    static final int CANCELLED = 3;

    final Thread thread;
    final int permits;
    /**
     * Its ticket in the starving line once published there ({@link StarvingLine#publish}), else
     * {@link StarvingLine#NONE}. Written once, by the waiter, before the publication.
     */
    volatile long ticket = StarvingLine.NONE;
    /** G8a, once published: WAITING, then GRANTING (a granter's claim), GRANTED or CANCELLED, by CAS. */
    volatile int state;
    /** The next node on the granted list; written before the push CAS that publishes this node. */
    WaitNode nextGranted;
    /** Its waiter's next nap while it polls as a starving waiter with no wake service (G8); the waiter's alone. */
    long starvingNap = Waiters.STARVING_NAP_NANOS;

    WaitNode(Thread thread, int permits) {
        this.thread = thread;
        this.permits = permits;
    }
}
