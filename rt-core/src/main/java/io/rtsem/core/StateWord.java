package io.rtsem.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The semaphore's state word: its bit layout, the static helpers that decode it, and every CAS loop on it, as the
 * LMAX Disruptor's {@code Sequence} owns its padded value. The word itself is the {@code state} field of the padding
 * chain ({@link StateWordLhsPadding}, {@link StateWordValue}, {@link StateWordRhsPadding}), alone on its cache lines.
 *
 * <pre>
 *  63 | 62 ..... 52 | 51 ..... 32 | 31 ..... 0
 *   0 | starving    | parked      | value
 * </pre>
 * {@code value} is the permits available (never above {@code Integer.MAX_VALUE}); {@code parked} counts waiters
 * registered for a wake-up (glibc's {@code nwaiters}); {@code starving} counts waiters in the starving line (G8). The
 * protocol is in {@code docs/ARCHITECTURE.md} ("The state word").
 *
 * <p>{@link RtSemaphore} <em>extends</em> this class rather than holding a word object: the HARD fast path
 * ({@code tryAcquire}, {@code release}) then CASes a field of the semaphore itself, with no field load and no second
 * object between the caller and the word, as Agrona's padded superclass chains do. The methods are final and
 * non-virtual, so they inline into the semaphore's.
 *
 * <p><b>Threading:</b> every method may be called by any thread, HARD included: each is a CAS loop, retried only
 * while other threads change the word, or a single volatile read or RMW. Nothing allocates, blocks or makes a system
 * call, except the methods that throw (they build a message).
 *
 * <p><b>Memory order:</b> every change is a volatile CAS or getAndAdd ({@code VarHandle.compareAndExchange},
 * {@code getAndAdd}): taking permits has acquire ordering with the release that published them, returning permits
 * has release ordering, exactly as with {@link java.util.concurrent.Semaphore}.
 */
abstract class StateWord extends StateWordRhsPadding {
    static final long VALUE_MASK = 0xFFFF_FFFFL;
    static final int PARKED_SHIFT = 32;
    static final long PARKED_ONE = 1L << PARKED_SHIFT;
    static final int MAX_PARKED = (1 << 20) - 1;
    static final long PARKED_MASK = ((long) MAX_PARKED) << PARKED_SHIFT;
    static final int STARVING_SHIFT = 52;
    static final long STARVING_ONE = 1L << STARVING_SHIFT;
    static final int MAX_STARVING = (1 << 11) - 1;
    static final long STARVING_MASK = ((long) MAX_STARVING) << STARVING_SHIFT;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(StateWordValue.class, "state", long.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    StateWord(int permits) {
        STATE.setVolatile(this, (long) permits);
    }

    static int value(long s) {
        return (int) (s & VALUE_MASK);
    }

    static int parked(long s) {
        return (int) ((s & PARKED_MASK) >>> PARKED_SHIFT);
    }

    static int starving(long s) {
        return (int) ((s & STARVING_MASK) >>> STARVING_SHIFT);
    }

    /** @return the word, one volatile read. */
    final long state() {
        return (long) STATE.getVolatile(this);
    }

    /** Sets the word outright: class-initialisation priming only, on a private semaphore. */
    final void primeState(long s) {
        STATE.setVolatile(this, s);
    }

    /** One volatile CAS. @return the witness value ({@code == expected} if it succeeded). */
    final long compareAndExchange(long expected, long next) {
        return (long) STATE.compareAndExchange(this, expected, next);
    }

    /**
     * The fast path (G1): takes {@code permits} if no waiter is starving and they are there. One CAS, retried only if
     * another thread changed the word meanwhile.
     */
    final boolean tryTake(int permits) {
        long s = (long) STATE.getVolatile(this);
        while ((s & STARVING_MASK) == 0 && value(s) >= permits) {
            // Acquire ordering: this CAS reads the value a release published.
            final long witness = (long) STATE.compareAndExchange(this, s, s - permits);
            if (witness == s) {
                return true;
            }
            s = witness;
        }
        return false;
    }

    /**
     * Adds {@code permits} (counting mode, G2): one CAS, retried only on interference.
     *
     * @return the word after the release; the caller wakes parked waiters if it shows any.
     * @throws IllegalStateException if the count would exceed {@code maxPermits} (A2; the word is unchanged).
     */
    final long releasePermits(int permits, int maxPermits) {
        long s = (long) STATE.getVolatile(this);
        while (true) {
            final int value = value(s);
            if (permits > maxPermits - value) { // int arithmetic, no overflow: 0 <= value <= maxPermits
                throw aboveMaxPermits(permits, value, maxPermits);
            }
            final long next = s + permits;
            // Release ordering: a waiter whose CAS reads this value happens-after everything before this release.
            final long witness = (long) STATE.compareAndExchange(this, s, next);
            if (witness == s) {
                return next;
            }
            s = witness;
        }
    }

    /**
     * Binary mode (G10): the count becomes 1 unless it is 1 already.
     *
     * @return the word after the release, or as found if the count was saturated already. Saturated, the count is 1
     * and nobody took that permit: a parked waiter may be waiting for it, left only a wake indication by a HARD
     * release (G3), so the caller passes the wake on as after any release, or, from NON_RT with no wake service, the
     * waiter would sleep until its fallback over a free permit (G11).
     */
    final long releaseBinary() {
        long s = (long) STATE.getVolatile(this);
        while (value(s) == 0) {
            final long next = s + 1;
            final long witness = (long) STATE.compareAndExchange(this, s, next); // release ordering, as above
            if (witness == s) {
                return next;
            }
            s = witness;
        }
        return s;
    }

    /** Built out of line: keeps the release loop small enough to inline on every hot path. */
    private IllegalStateException aboveMaxPermits(int permits, int value, int maxPermits) {
        return new IllegalStateException("release(" + permits + ") would raise the count from " + value + " to "
                + ((long) value + permits) + ", above maxPermits " + maxPermits);
    }

    /** Takes every available permit, whatever waits (an administrative reset). @return how many. */
    final int drain() {
        long s = (long) STATE.getVolatile(this);
        while (value(s) != 0) {
            // Volatile CAS: acquire ordering, like any acquire (the drainer sees what the releasers published).
            final long witness = (long) STATE.compareAndExchange(this, s, s & ~VALUE_MASK);
            if (witness == s) {
                return value(s);
            }
            s = witness;
        }
        return 0;
    }

    /**
     * Takes {@code permits} together with one starving registration, while they are there (a grant for a node in
     * {@code GRANTING}, or the starving line's head taking for itself, G8/G8a).
     *
     * @return {@code true} if taken.
     */
    final boolean takeStarving(int permits) {
        long s = (long) STATE.getVolatile(this);
        while (value(s) >= permits) {
            // Volatile CAS: acquire ordering with the release that published these permits.
            final long witness = (long) STATE.compareAndExchange(this, s, s - permits - STARVING_ONE);
            if (witness == s) {
                return true;
            }
            s = witness;
        }
        return false;
    }

    /**
     * Returns permits that a grant took for a waiter that then left by an exception (G8a.2). They came off the word,
     * so they fit under {@code maxPermits} unless somebody released permits that never existed (A2 broken); binary
     * semaphores saturate at 1 (G10).
     */
    final void restorePermits(int permits, int maxPermits) {
        long s = (long) STATE.getVolatile(this);
        while (true) {
            final long value = value(s);
            final long newValue = Math.min(value + permits, maxPermits);
            // Volatile CAS: release ordering, as a release (the next taker happens-after this).
            final long witness = (long) STATE.compareAndExchange(this, s, s - value + newValue);
            if (witness == s) {
                return;
            }
            s = witness;
        }
    }

    /**
     * Registers the caller for a wake-up ({@code parked += 1}, G4). A CAS rather than an add, so that a full
     * {@code parked} field is refused before it could carry into the {@code starving} bits.
     *
     * @throws IllegalStateException if {@link #MAX_PARKED} waiters are registered already (nothing changed then).
     */
    final void registerParked() {
        long s = (long) STATE.getVolatile(this);
        while (true) {
            if (parked(s) == MAX_PARKED) {
                throw new IllegalStateException("more than " + MAX_PARKED + " parked waiters on " + this);
            }
            final long witness = (long) STATE.compareAndExchange(this, s, s + PARKED_ONE);
            if (witness == s) {
                return;
            }
            s = witness;
        }
    }

    /**
     * Registers the caller as starving (G8). It holds a ticket, and at most {@link StarvingLine#CAPACITY} tickets
     * live, far below {@link #MAX_STARVING}: the count cannot saturate.
     */
    final void registerStarving() {
        // Volatile RMW: a non-starving taker whose CAS comes after this sees starving > 0 and stands back (G8).
        STATE.getAndAdd(this, STARVING_ONE);
    }

    /**
     * Removes registrations ({@link #PARKED_ONE} and {@link #STARVING_ONE} multiples) in one volatile RMW, or just
     * reads the word if {@code delta} is 0.
     *
     * @return the word after the change.
     */
    final long deregister(long delta) {
        return delta == 0 ? (long) STATE.getVolatile(this) : (long) STATE.getAndAdd(this, -delta) - delta;
    }
}
